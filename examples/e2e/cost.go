package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/starmates-ai-team/telemetry/internal/stackquery"
)

// costSelector is the cost command's default: the SDK's series.
const costSelector = `{environment!=""}`

// costReport is the part of the cost command's JSON the suite reads.
type costReport struct {
	Local, Cloud struct {
		Series         int     `json:"series"`
		SamplesPerMin  float64 `json:"samples_per_minute"`
		BillableSeries float64 `json:"billable_series"`
		ProjectedBill  float64 `json:"projected_billable_series"`
		ByService      []struct {
			Name   string `json:"name"`
			Series int    `json:"series"`
		} `json:"by_service"`
	}
	Logs struct {
		BytesPerDay      float64 `json:"bytes_per_day"`
		ProjectedGBMonth float64 `json:"projected_gb_per_month"`
		Streams          int     `json:"streams"`
	} `json:"logs"`
	Cuts []struct {
		What  string  `json:"what"`
		Saves float64 `json:"saves"`
		Unit  string  `json:"unit"`
	} `json:"cuts"`
}

// costReportAgrees runs the cost command (examples/stack/tools/cost) and
// checks that its active series, in total and per service, on both
// Prometheus servers, are what Prometheus itself counts
// (count(...) by PromQL, before and after the command: series may expire
// in between, then it runs again), that it found the logs and that it
// proposes cuts.
func (s *suite) costReportAgrees(ctx context.Context) error {
	dir, err := toolsDir()
	if err != nil {
		return err
	}
	var errs []error
	for attempt := 0; attempt < 3; attempt++ {
		before, err := s.promCounts(ctx)
		if err != nil {
			return err
		}
		rep, err := runCost(ctx, dir)
		if err != nil {
			return err
		}
		after, err := s.promCounts(ctx)
		if err != nil {
			return err
		}
		if !maps.Equal(before, after) {
			errs = append(errs, fmt.Errorf("series changed while the command ran (%v, then %v)", before, after))
			continue
		}
		got := map[string]int{"local": rep.Local.Series, "cloud": rep.Cloud.Series}
		for _, svc := range rep.Local.ByService {
			got["local/"+svc.Name] = svc.Series
		}
		for _, svc := range rep.Cloud.ByService {
			got["cloud/"+svc.Name] = svc.Series
		}
		if !maps.Equal(got, after) {
			return fmt.Errorf("the cost command counts %v; Prometheus counts %v", got, after)
		}
		if rep.Logs.BytesPerDay <= 0 || rep.Logs.Streams == 0 {
			return fmt.Errorf("the cost command found no logs in the last 5 m (%+v)", rep.Logs)
		}
		if len(rep.Cuts) == 0 {
			return errors.New("the cost command proposes no cut")
		}
		fmt.Printf("     cost: %d series (cloud; local %d), %.0f samples/min, %.0f billable series; 3 instances per service: %.0f billable series, %.3g GB of logs a month\n",
			rep.Cloud.Series, rep.Local.Series, rep.Cloud.SamplesPerMin, rep.Cloud.BillableSeries, rep.Cloud.ProjectedBill, rep.Logs.ProjectedGBMonth)
		for i, c := range rep.Cuts {
			if i == 3 {
				break
			}
			fmt.Printf("     cut: -%.4g %s: %s\n", c.Saves, c.Unit, c.What)
		}
		return nil
	}
	return errors.Join(errs...)
}

// promCounts is Prometheus' own count of the selector's series, in total
// and per service, on both servers.
func (s *suite) promCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{"local": 0, "cloud": 0}
	for name, q := range map[string]func(context.Context, string) ([]stackquery.Sample, error){"local": s.st.Query, "cloud": s.st.CloudQuery} {
		total, err := q(ctx, "count("+costSelector+")")
		if err != nil {
			return nil, err
		}
		if len(total) > 0 {
			out[name] = int(total[0].Value)
		}
		per, err := q(ctx, "count by (service) ("+costSelector+")")
		if err != nil {
			return nil, err
		}
		for _, sm := range per {
			out[name+"/"+sm.Labels["service"]] = int(sm.Value)
		}
	}
	return out, nil
}

// runCost runs the cost command as a user does, with JSON output.
func runCost(ctx context.Context, dir string) (*costReport, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "./cost", "-json", "-window", "5m", "-instances", "3")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go run ./cost in %s: %w: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	var rep costReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		return nil, fmt.Errorf("the cost command's JSON: %w", err)
	}
	return &rep, nil
}

// toolsDir finds examples/stack/tools from the working directory (the
// repository or examples/, as go -C examples run ./e2e leaves it), or
// takes STACK_TOOLS_DIR.
func toolsDir() (string, error) {
	if d := os.Getenv("STACK_TOOLS_DIR"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		for _, rel := range []string{"examples/stack/tools", "stack/tools", "tools"} {
			if _, err := os.Stat(filepath.Join(d, rel, "cost", "main.go")); err == nil {
				return filepath.Join(d, rel), nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("examples/stack/tools/cost not found above %s (set STACK_TOOLS_DIR)", wd)
		}
	}
}
