package metrics_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func newBusiness(t *testing.T, kit *telemetrytest.Kit, opts ...metrics.BusinessOption) *metrics.Business {
	t.Helper()
	b, err := metrics.NewBusiness(kit.Telemetry, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBusinessGauges(t *testing.T) {
	kit := telemetrytest.New(t)
	b := newBusiness(t, kit)
	ctx := context.Background()
	for _, err := range []error{
		b.SetRetention(ctx, metrics.RetentionDay7, "Free", 0.42),
		b.SetRetention(ctx, metrics.RetentionDay30, "pro", 0.8),
		b.SetRetention(ctx, metrics.RetentionDay7, "free", 0.40), // replaces 0.42
		b.SetFeatureAdoption(ctx, "workflow-builder", 0.35),
		b.SetFeatureAdoption(ctx, "export", 0),
		b.SetPMFScore(ctx, metrics.PMFMethodSeanEllis, 0.45),
		b.SetPMFScore(ctx, "survey_v2", 1),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	aiWantPoints(t, kit, metrics.UserRetentionRateName,
		pt(0.40, "retention_period", "day_7", "user_segment", "free"),
		pt(0.8, "retention_period", "day_30", "user_segment", "pro"),
	)
	aiWantPoints(t, kit, metrics.FeatureAdoptionRateName,
		pt(0.35, "feature_name", "workflow-builder"),
		pt(0, "feature_name", "export"),
	)
	aiWantPoints(t, kit, metrics.PMFScoreName,
		pt(0.45, "calculation_method", "sean_ellis"),
		pt(1, "calculation_method", "survey_v2"),
	)
	for _, c := range []struct {
		name string
		def  catalog.Metric
	}{
		{metrics.UserRetentionRateName, catalog.UserRetention},
		{metrics.FeatureAdoptionRateName, catalog.FeatureAdoption},
		{metrics.PMFScoreName, catalog.PMFScore},
	} {
		m, _ := aiMetric(t, kit, c.name)
		if _, ok := m.Data.(metricdata.Gauge[float64]); !ok {
			t.Errorf("%s: data %T, want a float64 gauge", c.name, m.Data)
		}
		if m.Unit != "" || c.def.Unit != "" || m.Description != c.def.Description || c.def.Name != c.name {
			t.Errorf("%s: unit %q, description %q; want the catalogue's %+v", c.name, m.Unit, m.Description, c.def)
		}
	}
}

func TestBusinessBadInputRecordsNothing(t *testing.T) {
	kit := telemetrytest.New(t)
	b := newBusiness(t, kit)
	ctx := context.Background()
	for _, v := range []float64{-0.01, 1.0001, 42, math.NaN(), math.Inf(1), math.Inf(-1)} {
		for name, err := range map[string]error{
			"retention": b.SetRetention(ctx, "day_7", "free", v),
			"adoption":  b.SetFeatureAdoption(ctx, "export", v),
			"pmf":       b.SetPMFScore(ctx, "sean_ellis", v),
		} {
			if !errors.Is(err, metrics.ErrOutOfRange) {
				t.Errorf("%s(%v) error = %v, want ErrOutOfRange", name, v, err)
			}
		}
	}
	for _, bad := range []string{"", "a b", strings.Repeat("x", 65), "user@example.com", "é"} {
		for name, err := range map[string]error{
			"retention period":  b.SetRetention(ctx, bad, "free", 0.5),
			"retention segment": b.SetRetention(ctx, "day_7", bad, 0.5),
			"adoption":          b.SetFeatureAdoption(ctx, bad, 0.5),
			"pmf":               b.SetPMFScore(ctx, bad, 0.5),
		} {
			if !errors.Is(err, ailabels.ErrInvalidLabel) {
				t.Errorf("%s %q: error = %v, want ErrInvalidLabel", name, bad, err)
			}
		}
	}
	for _, name := range []string{metrics.UserRetentionRateName, metrics.FeatureAdoptionRateName, metrics.PMFScoreName} {
		if m, ok := kit.Metric(name); ok {
			t.Errorf("%s recorded after bad input: %+v", name, m.Data)
		}
	}
	// An invalid segment must not use up a slot of the period's bound.
	b2 := newBusiness(t, kit, metrics.WithMaxRetentionPeriods(1))
	_ = b2.SetRetention(ctx, "day_1", "bad segment", 0.5)
	if err := b2.SetRetention(ctx, "day_7", "free", 0.5); err != nil {
		t.Fatal(err)
	}
	aiWantPoints(t, kit, metrics.UserRetentionRateName, pt(0.5, "retention_period", "day_7", "user_segment", "free"))
}

func TestBusinessBounds(t *testing.T) {
	kit := telemetrytest.New(t)
	b := newBusiness(t, kit, metrics.WithMaxFeatures(2), metrics.WithMaxSegments(1), metrics.WithMaxPMFMethods(1))
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.SetFeatureAdoption(ctx, "a", 0.1))
	must(b.SetFeatureAdoption(ctx, "b", 0.2))
	must(b.SetFeatureAdoption(ctx, "c", 0.3))
	must(b.SetFeatureAdoption(ctx, "a", 0.15))
	must(b.SetRetention(ctx, "day_7", "free", 0.5))
	must(b.SetRetention(ctx, "day_7", "pro", 0.6))
	must(b.SetPMFScore(ctx, "sean_ellis", 0.4))
	must(b.SetPMFScore(ctx, "other_method", 0.7))
	aiWantPoints(t, kit, metrics.FeatureAdoptionRateName,
		pt(0.15, "feature_name", "a"), pt(0.2, "feature_name", "b"), pt(0.3, "feature_name", "_OTHER"))
	aiWantPoints(t, kit, metrics.UserRetentionRateName,
		pt(0.5, "retention_period", "day_7", "user_segment", "free"),
		pt(0.6, "retention_period", "day_7", "user_segment", "_OTHER"))
	aiWantPoints(t, kit, metrics.LabelOverflowName,
		pt(1, "label", "feature_name"), pt(1, "label", "user_segment"), pt(1, "label", "calculation_method"))
}

func TestBusinessOptionsAndNil(t *testing.T) {
	for _, o := range []metrics.BusinessOption{metrics.WithMaxFeatures(0), metrics.WithMaxSegments(-1),
		metrics.WithMaxRetentionPeriods(1001), metrics.WithMaxPMFMethods(0)} {
		if _, err := metrics.NewBusiness(nil, o); err == nil {
			t.Error("NewBusiness accepted a bound out of range")
		}
	}
	b, err := metrics.NewBusiness(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := b.SetPMFScore(ctx, "sean_ellis", 0.5); err != nil {
		t.Errorf("nil Telemetry: %v", err)
	}
	if err := b.SetPMFScore(ctx, "sean_ellis", 2); !errors.Is(err, metrics.ErrOutOfRange) {
		t.Errorf("nil Telemetry still validates: %v", err)
	}
	var nilB *metrics.Business
	if nilB.SetRetention(ctx, "", "", math.NaN()) != nil || nilB.Enabled() {
		t.Error("nil *Business did something")
	}
}

func TestBusinessDoesNotAllocate(t *testing.T) {
	kit := telemetrytest.New(t)
	b := newBusiness(t, kit)
	ctx := context.Background()
	_ = b.SetRetention(ctx, "day_7", "free", 0.5)
	if n := testing.AllocsPerRun(100, func() { _ = b.SetRetention(ctx, "day_7", "free", 0.5) }); n != 0 {
		t.Errorf("SetRetention allocates %v times, want 0", n)
	}
}
