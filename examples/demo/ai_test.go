package main

import (
	"math"
	"testing"
)

func TestBucketQuantile(t *testing.T) {
	// 10 observations: 4 under 20 ms, 4 more under 40 ms, 2 under 80 ms.
	b := map[string]float64{"0.01": 0, "0.02": 4, "0.04": 8, "0.08": 10, "+Inf": 10}
	for _, tc := range []struct{ q, want float64 }{
		{0.5, 0.025}, // rank 5: a quarter into (0.02, 0.04]
		{0.95, 0.07}, // rank 9.5: three quarters into (0.04, 0.08]
		{0.2, 0.015}, // rank 2: half into (0.01, 0.02]
	} {
		if got := bucketQuantile(b, tc.q); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("q%.2f = %v; want %v", tc.q, got, tc.want)
		}
	}
	if got := bucketQuantile(map[string]float64{"0.01": 0, "+Inf": 3}, 0.5); got != 0.01 {
		t.Errorf("all above the last bound: %v; want the highest finite bound", got)
	}
	if got := bucketQuantile(map[string]float64{"+Inf": 0}, 0.5); !math.IsNaN(got) {
		t.Errorf("no observation: %v", got)
	}
}

func TestQuantile(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if quantile(v, 0.5) != 5 || quantile(v, 0.95) != 10 || quantile(v[:1], 0.95) != 1 || !math.IsNaN(quantile(nil, 0.5)) {
		t.Errorf("quantiles %v %v", quantile(v, 0.5), quantile(v, 0.95))
	}
}
