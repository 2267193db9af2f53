package metrics_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func ExampleNewBusiness() {
	ctx := context.Background()
	kit, err := telemetrytest.NewKit(ctx) // in a service: the *telemetry.Telemetry from Init
	if err != nil {
		panic(err)
	}
	defer kit.Telemetry.Shutdown(ctx)

	biz, err := metrics.NewBusiness(kit.Telemetry)
	if err != nil {
		panic(err)
	}
	// Figures computed by an analytics job; fractions from 0 to 1.
	_ = biz.SetRetention(ctx, metrics.RetentionDay7, "free", 0.42)
	_ = biz.SetFeatureAdoption(ctx, "workflow-builder", 0.35)
	_ = biz.SetPMFScore(ctx, metrics.PMFMethodSeanEllis, 0.44) // 44% "very disappointed"

	// 42 is not a fraction: an error, nothing recorded.
	err = biz.SetRetention(ctx, metrics.RetentionDay7, "free", 42)
	fmt.Println(errors.Is(err, metrics.ErrOutOfRange))

	v, _ := kit.Value(metrics.UserRetentionRateName,
		metrics.RetentionPeriodKey.String("day_7"), metrics.UserSegmentKey.String("free"))
	fmt.Printf("user_retention_rate{retention_period=\"day_7\",user_segment=\"free\"} %v\n", v)
	v, _ = kit.Value(metrics.PMFScoreName, metrics.CalculationMethodKey.String("sean_ellis"))
	fmt.Printf("pmf_score{calculation_method=\"sean_ellis\"} %v\n", v)
	// Output:
	// true
	// user_retention_rate{retention_period="day_7",user_segment="free"} 0.42
	// pmf_score{calculation_method="sean_ellis"} 0.44
}
