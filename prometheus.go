package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// newPrometheus starts the /metrics endpoint of
// OTEL_METRICS_EXPORTER=prometheus on OTEL_EXPORTER_PROMETHEUS_HOST:PORT,
// for a service scraped without a collector. Every series there carries
// environment, project and service, as on the OTLP path. It returns nil
// when the variable does not name prometheus.
func (t *Telemetry) newPrometheus(cfg *config, runtimeP sdkmetric.Producer) (sdkmetric.Reader, error) {
	if cfg.metricExporter != nil || !cfg.metrics.uses(exporterPrometheus) {
		return nil, nil
	}
	reg := prometheus.NewRegistry()
	constLabels := prometheus.Labels{}
	for _, kv := range t.labels {
		constLabels[string(kv.Key)] = kv.Value.AsString()
	}
	opts := []otelprom.Option{otelprom.WithRegisterer(prometheus.WrapRegistererWith(constLabels, reg))}
	if runtimeP != nil {
		opts = append(opts, otelprom.WithProducer(runtimeP))
	}
	reader, err := otelprom.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("telemetry: prometheus exporter: %w", err)
	}
	addr := net.JoinHostPort(cfg.promHost, strconv.Itoa(cfg.promPort))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = reader.Shutdown(context.Background())
		return nil, fmt.Errorf("telemetry: prometheus exporter (OTEL_EXPORTER_PROMETHEUS_HOST, OTEL_EXPORTER_PROMETHEUS_PORT): %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	t.prom = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := t.prom.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.handler.Handle(fmt.Errorf("telemetry: prometheus exporter: %w", err))
		}
	}()
	return reader, nil
}
