package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/bounded"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
)

// The business gauges, as they appear in Prometheus (docs/metrics.md has
// their descriptions and labels): plain names, no unit (a unit of "1"
// could add a _ratio suffix).
const (
	// UserRetentionRateName is the share of users retained, 0 to 1,
	// labelled retention_period and user_segment.
	UserRetentionRateName = "user_retention_rate"
	// FeatureAdoptionRateName is the share of active users who use a
	// feature, 0 to 1, labelled feature_name.
	FeatureAdoptionRateName = "feature_adoption_rate"
	// PMFScoreName is the product-market-fit score, 0 to 1, labelled
	// calculation_method.
	PMFScoreName = "pmf_score"
)

// The label keys of the business gauges.
const (
	RetentionPeriodKey   attribute.Key = "retention_period"
	UserSegmentKey       attribute.Key = "user_segment"
	FeatureNameKey       attribute.Key = "feature_name"
	CalculationMethodKey attribute.Key = "calculation_method"
)

// Suggested label values. Any valid label value works; these keep
// dashboards consistent across services.
const (
	RetentionDay1  = "day_1"
	RetentionDay7  = "day_7"
	RetentionDay30 = "day_30"

	// PMFMethodSeanEllis is the Sean Ellis test: the share (0 to 1) of
	// surveyed users who answer "very disappointed" to "How would you feel
	// if you could no longer use the product?". 0.4 is the usual bar.
	PMFMethodSeanEllis = "sean_ellis"
)

// Default bounds of the business labels.
const (
	DefaultMaxFeatures         = 50
	DefaultMaxSegments         = 20
	DefaultMaxRetentionPeriods = 10
	DefaultMaxPMFMethods       = 5
)

// ErrOutOfRange is matched (errors.Is) by the errors the Business setters
// return for a value outside 0..1 or not a number.
var ErrOutOfRange = errors.New("metrics: value out of range")

// maxBizCacheEntries bounds the cache of prepared label combinations.
const maxBizCacheEntries = 1024

// BusinessOption configures NewBusiness. Every Option (WithMeterProvider,
// WithTracerProvider) is a BusinessOption too.
type BusinessOption interface {
	applyBusiness(bizConfig) bizConfig
}

type bizOptionFunc func(bizConfig) bizConfig

func (f bizOptionFunc) applyBusiness(c bizConfig) bizConfig { return f(c) }

type bizConfig struct {
	providers
	maxFeatures, maxSegments, maxPeriods, maxMethods int
}

// WithMaxFeatures bounds the distinct feature_name values (default 50, at
// most 1000).
func WithMaxFeatures(n int) BusinessOption {
	return bizOptionFunc(func(c bizConfig) bizConfig { c.maxFeatures = n; return c })
}

// WithMaxSegments bounds the distinct user_segment values (default 20, at
// most 1000).
func WithMaxSegments(n int) BusinessOption {
	return bizOptionFunc(func(c bizConfig) bizConfig { c.maxSegments = n; return c })
}

// WithMaxRetentionPeriods bounds the distinct retention_period values
// (default 10, at most 1000).
func WithMaxRetentionPeriods(n int) BusinessOption {
	return bizOptionFunc(func(c bizConfig) bizConfig { c.maxPeriods = n; return c })
}

// WithMaxPMFMethods bounds the distinct calculation_method values (default
// 5, at most 1000).
func WithMaxPMFMethods(n int) BusinessOption {
	return bizOptionFunc(func(c bizConfig) bizConfig { c.maxMethods = n; return c })
}

func newBizConfig(opts []BusinessOption) (bizConfig, error) {
	c := bizConfig{
		maxFeatures: DefaultMaxFeatures, maxSegments: DefaultMaxSegments,
		maxPeriods: DefaultMaxRetentionPeriods, maxMethods: DefaultMaxPMFMethods,
	}
	for _, o := range opts {
		if o != nil {
			c = o.applyBusiness(c)
		}
	}
	var errs []error
	for _, f := range []struct {
		name string
		v    int
	}{{"WithMaxFeatures", c.maxFeatures}, {"WithMaxSegments", c.maxSegments},
		{"WithMaxRetentionPeriods", c.maxPeriods}, {"WithMaxPMFMethods", c.maxMethods}} {
		if f.v < 1 || f.v > maxBound {
			errs = append(errs, fmt.Errorf("metrics: %s(%d): want 1 to %d", f.name, f.v, maxBound))
		}
	}
	return c, errors.Join(errs...)
}

// Business sets the product's business gauges: user_retention_rate,
// feature_adoption_rate and pmf_score. These are figures computed
// elsewhere (a nightly job, an analytics query) and set here so that they
// sit beside the technical metrics. Each setter replaces the last value of
// its series. Build it once with NewBusiness; its methods are safe for
// concurrent use and do not allocate once a label combination has been
// seen.
//
// Rates and the PMF score are fractions from 0 to 1 (0.42, not 42): the
// Prometheus convention for ratios, so all three read alike and alert
// thresholds such as pmf_score < 0.4 need no scaling. A method that scores
// on another scale (NPS is -100..100) must be mapped to 0..1 by the caller.
//
// A value past a label's bound is recorded under "_OTHER", whose gauge then
// holds whichever such value was set last: raise the bound rather than read
// it.
type Business struct {
	enabled  bool
	gauges   [numBizGauges]metric.Float64Gauge
	overflow metric.Int64Counter

	overflowOpts [numBizLabels][]metric.AddOption

	bounds [numBizLabels]*bounded.Labels
	cache  *bounded.Cache[bizKey, *bizEntry]
}

// bizLabel indexes the bounded labels.
type bizLabel uint8

const (
	bizPeriod bizLabel = iota
	bizSegment
	bizFeature
	bizMethod

	numBizLabels = iota
)

var bizLabelKeys = [numBizLabels]attribute.Key{RetentionPeriodKey, UserSegmentKey, FeatureNameKey, CalculationMethodKey}

// bizGauge indexes the gauges.
type bizGauge uint8

const (
	gaugeRetention bizGauge = iota
	gaugeAdoption
	gaugePMF

	numBizGauges = iota
)

// gaugeDefs are the catalogue's definitions of the gauges.
var gaugeDefs = [numBizGauges]catalog.Metric{
	gaugeRetention: catalog.UserRetention,
	gaugeAdoption:  catalog.FeatureAdoption,
	gaugePMF:       catalog.PMFScore,
}

// gaugeLabels lists, per gauge, the bounded labels of its one or two values.
var gaugeLabels = [...][]bizLabel{
	gaugeRetention: {bizPeriod, bizSegment},
	gaugeAdoption:  {bizFeature},
	gaugePMF:       {bizMethod},
}

type bizKey struct {
	gauge bizGauge
	a, b  string
}

type bizEntry struct {
	opts     []metric.RecordOption
	overflow [2]bizLabel // labels that overflowed
	nOver    int
}

// NewBusiness creates the business gauges on tel's meter provider (or
// that of WithMeterProvider), under the scope telemetry.ScopeName. A nil or
// disabled tel without WithMeterProvider gives a *Business that records
// nothing but still validates. It returns an error for an option out of
// range.
func NewBusiness(tel *telemetry.Telemetry, opts ...BusinessOption) (*Business, error) {
	cfg, err := newBizConfig(opts)
	if err != nil {
		return nil, err
	}
	mp, enabled := cfg.meterProvider(tel)
	meter := mp.Meter(telemetry.ScopeName)
	b := &Business{enabled: enabled, cache: bounded.NewCache[bizKey, *bizEntry](maxBizCacheEntries)}
	b.bounds[bizPeriod] = bounded.NewLabels(cfg.maxPeriods)
	b.bounds[bizSegment] = bounded.NewLabels(cfg.maxSegments)
	b.bounds[bizFeature] = bounded.NewLabels(cfg.maxFeatures)
	b.bounds[bizMethod] = bounded.NewLabels(cfg.maxMethods)
	for g, def := range gaugeDefs {
		if b.gauges[g], err = catalog.Float64Gauge(meter, def); err != nil {
			return nil, err
		}
	}
	if b.overflow, err = newOverflowCounter(meter); err != nil {
		return nil, err
	}
	for i, k := range bizLabelKeys {
		b.overflowOpts[i] = overflowOption(k)
	}
	return b, nil
}

// Enabled reports whether b records anything: its Telemetry is enabled or
// WithMeterProvider gave it a provider.
func (b *Business) Enabled() bool { return b != nil && b.enabled }

// SetRetention sets user_retention_rate{retention_period=period,
// user_segment=segment} to rate, the share of the segment's users still
// active after period (e.g. RetentionDay7, "free"). rate must be from 0
// to 1; the labels must pass ailabels.ValidateLabel. Otherwise the error
// is returned and nothing is recorded.
func (b *Business) SetRetention(ctx context.Context, period, segment string, rate float64) error {
	return b.set(ctx, gaugeRetention, "retention rate", rate, period, segment)
}

// SetFeatureAdoption sets feature_adoption_rate{feature_name=feature} to
// rate, the share of active users who use the feature, from 0 to 1.
func (b *Business) SetFeatureAdoption(ctx context.Context, feature string, rate float64) error {
	return b.set(ctx, gaugeAdoption, "feature adoption rate", rate, feature, "")
}

// SetPMFScore sets pmf_score{calculation_method=method} to score, from 0
// to 1. For PMFMethodSeanEllis it is the share of surveyed users who would
// be very disappointed without the product (0.4 and above suggests
// product-market fit).
func (b *Business) SetPMFScore(ctx context.Context, method string, score float64) error {
	return b.set(ctx, gaugePMF, "PMF score", score, method, "")
}

func checkFraction(what string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 1 {
		return fmt.Errorf("%w: %s %v: want a fraction from 0 to 1", ErrOutOfRange, what, v)
	}
	return nil
}

// set sets gauge to v, a fraction (what names it in the error), under the
// label values v1 (and v2). A nil b sets nothing.
func (b *Business) set(ctx context.Context, gauge bizGauge, what string, v float64, v1, v2 string) error {
	if b == nil {
		return nil
	}
	if err := checkFraction(what, v); err != nil {
		return err
	}
	e, err := b.entry(gauge, v1, v2)
	if err != nil {
		return err
	}
	if !b.enabled {
		return nil
	}
	b.gauges[gauge].Record(ctx, v, e.opts...)
	for _, l := range e.overflow[:e.nOver] {
		b.overflow.Add(ctx, 1, b.overflowOpts[l]...)
	}
	return nil
}

// entry returns the prepared labels of gauge for its values v1 (and v2),
// validated and bounded.
func (b *Business) entry(gauge bizGauge, v1, v2 string) (*bizEntry, error) {
	k := bizKey{gauge, v1, v2}
	if e, ok := b.cache.Load(k); ok {
		return e, nil
	}
	var vals [2]string
	raw := [2]string{v1, v2}
	for i, l := range gaugeLabels[gauge] {
		v, err := ailabels.ValidateLabel(raw[i])
		if err != nil {
			return nil, fmt.Errorf("metrics: %s: %w", bizLabelKeys[l], err)
		}
		vals[i] = v
	}
	return b.cache.Get(k, func(bizKey) *bizEntry { return b.newEntry(gauge, vals) }), nil
}

// newEntry bounds the valid values vals of gauge's labels.
func (b *Business) newEntry(gauge bizGauge, vals [2]string) *bizEntry {
	e := &bizEntry{}
	kvs := make([]attribute.KeyValue, 0, 2)
	for i, l := range gaugeLabels[gauge] {
		v, over := b.bounds[l].Admit(vals[i])
		if over {
			e.overflow[e.nOver] = l
			e.nOver++
		}
		kvs = append(kvs, bizLabelKeys[l].String(v))
	}
	e.opts = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kvs...))}
	return e
}
