package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/starmates-ai-team/telemetry/internal/stackquery"
)

// exemplarsPerService is how many exemplars per service and server are
// followed to their trace in Jaeger.
const exemplarsPerService = 5

// exemplarsToJaeger checks, on the local and the cloud Prometheus, that
// the run's latency histograms carry exemplars (the trace id of sampled
// requests) for each of the three services, and that each exemplar
// followed leads to a trace in Jaeger holding the exemplar's span, of the
// series' service and endpoint. The AI duration histogram
// (gen_ai_client_operation_duration_seconds) is checked the same way when
// the agent records it (metrics.WithSemconvHistograms). It prints the
// exemplars stored per minute.
func (s *suite) exemplarsToJaeger(ctx context.Context, r *envRun) error {
	servers := []struct {
		name string
		get  func(context.Context, string, time.Time, time.Time) ([]stackquery.Exemplar, error)
	}{{"local Prometheus", s.st.Exemplars}, {"cloud Prometheus", s.st.CloudExemplars}}
	httpSel := fmt.Sprintf(`http_request_duration_seconds_bucket{instance=~%q}`, r.instanceRE())
	ai := fmt.Sprintf(`gen_ai_client_operation_duration_seconds_bucket{instance=~%q}`, r.instanceRE())
	var errs []error
	for _, srv := range servers {
		var ex []stackquery.Exemplar
		err := poll(ctx, 60*time.Second, func() (bool, error) {
			var err error
			ex, err = srv.get(ctx, httpSel, time.Now().Add(-time.Hour), time.Now())
			return len(servicesOf(ex)) == len(services), err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: exemplars of http_request_duration_seconds for %v only (want %v): %w", srv.name, servicesOf(ex), services, err))
			continue
		}
		followed, err := s.followExemplars(ctx, ex, true)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", srv.name, err))
			continue
		}
		fmt.Printf("     %s: %d exemplars on http_request_duration_seconds, %d of them followed to their span in Jaeger; %s\n",
			srv.name, len(ex), followed, perMinute(ex))

		aiEx, err := srv.get(ctx, ai, time.Now().Add(-time.Hour), time.Now())
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", srv.name, err))
			continue
		}
		if len(aiEx) == 0 {
			series, err := s.query(srv.name)(ctx, ai)
			switch {
			case err != nil:
				errs = append(errs, err)
			case len(series) > 0:
				errs = append(errs, fmt.Errorf("%s: %d series of gen_ai_client_operation_duration_seconds_bucket, no exemplar", srv.name, len(series)))
			default:
				fmt.Printf("     %s: no gen_ai_client_operation_duration_seconds series (the agent records it with metrics.WithSemconvHistograms)\n", srv.name)
			}
			continue
		}
		followed, err = s.followExemplars(ctx, aiEx, false)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: AI duration: %w", srv.name, err))
			continue
		}
		fmt.Printf("     %s: %d exemplars on gen_ai_client_operation_duration_seconds, %d followed to their AI span\n", srv.name, len(aiEx), followed)
	}
	return errors.Join(errs...)
}

func (s *suite) query(server string) func(context.Context, string) ([]stackquery.Sample, error) {
	if strings.HasPrefix(server, "cloud") {
		return s.st.CloudQuery
	}
	return s.st.Query
}

// followExemplars looks up up to exemplarsPerService exemplars of each
// service in Jaeger: the trace must hold the exemplar's span, of the
// series' service, and for HTTP exemplars a server span of the series'
// endpoint (http.route).
func (s *suite) followExemplars(ctx context.Context, ex []stackquery.Exemplar, httpRoute bool) (int, error) {
	perService := map[string]int{}
	followed := 0
	for _, e := range ex {
		svc := e.Series["service"]
		if perService[svc] == exemplarsPerService {
			continue
		}
		if e.TraceID == "" || e.SpanID == "" {
			return followed, fmt.Errorf("exemplar without trace_id/span_id: %v on %v", e.Labels, e.Series)
		}
		var span *stackquery.Span
		err := poll(ctx, 30*time.Second, func() (bool, error) {
			spans, err := s.st.Trace(ctx, e.TraceID)
			if err != nil && strings.Contains(err.Error(), "404") {
				err = nil
			}
			for i := range spans {
				if spans[i].SpanID == e.SpanID {
					span = &spans[i]
				}
			}
			return span != nil, err
		})
		if err != nil {
			return followed, fmt.Errorf("exemplar trace %s span %s (%s %s): not in Jaeger: %w", e.TraceID, e.SpanID, svc, e.Series["endpoint"], err)
		}
		if span.Service != svc {
			return followed, fmt.Errorf("exemplar of %s leads to span %q of %s (trace %s)", svc, span.OperationName, span.Service, e.TraceID)
		}
		if httpRoute {
			route, _ := span.Tags["http.route"].(string)
			if route != e.Series["endpoint"] {
				return followed, fmt.Errorf("exemplar of %s endpoint %s leads to span %q with http.route %q (trace %s)", svc, e.Series["endpoint"], span.OperationName, route, e.TraceID)
			}
		}
		perService[svc]++
		followed++
	}
	return followed, nil
}

func servicesOf(ex []stackquery.Exemplar) []string {
	var out []string
	for _, e := range ex {
		if svc := e.Series["service"]; !slices.Contains(out, svc) {
			out = append(out, svc)
		}
	}
	slices.Sort(out)
	return out
}

// perMinute is the rate of exemplars stored while they were arriving.
func perMinute(ex []stackquery.Exemplar) string {
	if len(ex) < 2 {
		return fmt.Sprintf("%d stored", len(ex))
	}
	first, last := ex[0].Time, ex[0].Time
	for _, e := range ex {
		if e.Time.Before(first) {
			first = e.Time
		}
		if e.Time.After(last) {
			last = e.Time
		}
	}
	span := last.Sub(first)
	if span < time.Second {
		return fmt.Sprintf("%d stored", len(ex))
	}
	return fmt.Sprintf("%.0f exemplars per minute stored over %v (%d services)", float64(len(ex))/span.Minutes(), span.Round(time.Second), len(servicesOf(ex)))
}
