package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/canary"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
)

// Match types of metric name patterns.
const (
	MatchGlob   = "glob"   // `*` any run of characters (dots included), `?` one character
	MatchRegexp = "regexp" // RE2, anchored at both ends
)

// Emit modes of the derived series.
const (
	EmitAnomalous = "anomalous" // only points while an anomaly is open, and the one that closes it
	EmitAll       = "all"       // every evaluated point
)

// Seasonality values.
const (
	SeasonalityAuto  = "auto"
	SeasonalityDaily = "daily"
	SeasonalityOff   = "off"
)

// Config is the configuration of the regression processor.
type Config struct {
	// Metrics selects the watched metrics. Unselected metrics pass through
	// and cost nothing but a name lookup.
	Metrics MetricsConfig `mapstructure:"metrics"`
	// VersionAttributes name the attributes (resource first, then data
	// point) whose value is the series' version; a change starts the
	// post-change comparison. They are never part of the series identity.
	VersionAttributes []string `mapstructure:"version_attributes"`
	// Quantiles of histograms (explicit and exponential) to watch, each its
	// own series, in (0, 1).
	Quantiles []float64 `mapstructure:"quantiles"`
	// Detection holds the default sensitivity knobs.
	Detection DetectionConfig `mapstructure:"detection"`
	// Overrides change the knobs of the metrics they match; the first
	// matching override wins, unset fields keep the Detection value.
	Overrides []OverrideConfig `mapstructure:"overrides"`
	// Canary compares versions of a series that report side by side.
	Canary CanaryConfig `mapstructure:"canary"`
	// Emit configures the derived aiops.* series.
	Emit EmitConfig `mapstructure:"emit"`
	// Queue hands the watched points to a detection worker, so that a
	// request does not wait for detection.
	Queue QueueConfig `mapstructure:"queue"`
	// MaxSeries bounds the number of series held (least recently seen
	// evicted first).
	MaxSeries int `mapstructure:"max_series"`
	// IdleTTL forgets a series without points for this long. 0 keeps series
	// until evicted.
	IdleTTL time.Duration `mapstructure:"idle_ttl"`
	// FlushInterval is the period of the wall-clock ticker that expires idle
	// series.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// Storage is the ID of a storage extension that keeps the baselines
	// across restarts; nil keeps them in memory only.
	Storage *component.ID `mapstructure:"storage"`
	// SnapshotInterval is how often the baselines are saved to Storage
	// (they are also saved in Shutdown).
	SnapshotInterval time.Duration `mapstructure:"snapshot_interval"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// MetricsConfig selects metrics by name and, optionally, data points by
// OTTL conditions.
type MetricsConfig struct {
	// MatchType of Include, Exclude and the overrides' patterns: glob or
	// regexp.
	MatchType string `mapstructure:"match_type"`
	// Include: a metric is watched when its name matches one of these.
	Include []string `mapstructure:"include"`
	// Exclude: and matches none of these.
	Exclude []string `mapstructure:"exclude"`
	// Conditions are OTTL conditions in the datapoint context; when set, a
	// data point of an included metric is watched only if one of them is
	// true.
	Conditions []string `mapstructure:"conditions"`
}

// DetectionConfig holds the knobs a user is expected to touch.
type DetectionConfig struct {
	// Threshold is the anomaly score at which an anomaly opens (the
	// sensitivity: lower = more sensitive).
	Threshold float64 `mapstructure:"threshold"`
	// ExitThreshold is the score under which an open anomaly closes.
	ExitThreshold float64 `mapstructure:"exit_threshold"`
	// CoolDown after a close during which no new anomaly opens.
	CoolDown time.Duration `mapstructure:"cool_down"`
	// Warmup points before a series may score.
	Warmup int `mapstructure:"warmup"`
	// Seasonality: auto (daily and weekly), daily, off.
	Seasonality string `mapstructure:"seasonality"`
	// BandWidth is the half-width of the expected band in robust scales.
	BandWidth float64 `mapstructure:"band_width"`
	// Limit is the value a utilization-like series must not reach (drift /
	// time to exhaustion); nil disables the drift score.
	Limit *float64 `mapstructure:"limit"`
	// Horizon: a forecast reaching Limit within this scores.
	Horizon time.Duration `mapstructure:"horizon"`
	// PostChange enables the before/after comparison on a version change.
	PostChange bool `mapstructure:"post_change"`
}

// OverrideConfig changes the knobs of the metrics whose names match.
type OverrideConfig struct {
	Metrics       []string       `mapstructure:"metrics"`
	Threshold     *float64       `mapstructure:"threshold"`
	ExitThreshold *float64       `mapstructure:"exit_threshold"`
	Seasonality   *string        `mapstructure:"seasonality"`
	BandWidth     *float64       `mapstructure:"band_width"`
	Limit         *float64       `mapstructure:"limit"`
	Horizon       *time.Duration `mapstructure:"horizon"`
}

// CanaryConfig configures the side-by-side comparison of versions: when two
// or three versions of one series (same metric, attributes and resource apart
// from the version attributes) report concurrently, the canary's latest
// Window points are compared with the baseline version's points over the
// same time span (Mann–Whitney rank test, gated like the post-change test).
type CanaryConfig struct {
	// Enabled turns the comparison on.
	Enabled bool `mapstructure:"enabled"`
	// Window is the number of canary points per comparison (8 to 64).
	Window int `mapstructure:"window"`
	// VersionTTL: a version without points for this long (data time) no
	// longer counts as running.
	VersionTTL time.Duration `mapstructure:"version_ttl"`
	// MaxVersions is the number of concurrent versions compared per series:
	// the baseline and one (2) or two (3) canaries.
	MaxVersions int `mapstructure:"max_versions"`
	// MaxGroups bounds the series compared at once.
	MaxGroups int `mapstructure:"max_groups"`
	// MinEffect is the smallest |Cliff's delta| that flags a canary.
	MinEffect float64 `mapstructure:"min_effect"`
	// MinRelativeChange is the smallest relative change of the median that
	// flags a canary.
	MinRelativeChange float64 `mapstructure:"min_relative_change"`
}

// trackerConfig maps the user knobs onto the tracker's configuration.
func (c *CanaryConfig) trackerConfig() canary.Config {
	tc := canary.DefaultConfig()
	tc.Window, tc.VersionTTL = c.Window, c.VersionTTL
	tc.MaxVersions, tc.MaxGroups = c.MaxVersions, c.MaxGroups
	tc.MinEffect, tc.MinRelChange = c.MinEffect, c.MinRelativeChange
	return tc
}

// EmitConfig configures the derived series.
type EmitConfig struct {
	// Mode: anomalous (default) or all.
	Mode string `mapstructure:"mode"`
	// Band adds aiops.baseline.expected/lower/upper next to the score.
	Band bool `mapstructure:"band"`
}

// QueueConfig configures the detection queue. With it (the default) a
// request only copies its watched points out and goes on; the detection
// worker scores them and sends the derived series in requests of its own.
// Without it the points are scored in the request and the derived series
// appended to it.
type QueueConfig struct {
	// Enabled turns the queue on.
	Enabled bool `mapstructure:"enabled"`
	// QueueSize is the number of values (each histogram or summary
	// quantile counts one) that may wait for detection.
	QueueSize int `mapstructure:"queue_size"`
	// BlockOnOverflow makes a request wait for room in a full queue; by
	// default its points skip detection (points_skipped{reason="queue_full"})
	// and its data passes on at once.
	BlockOnOverflow bool `mapstructure:"block_on_overflow"`
}

var _ component.Config = (*Config)(nil)

// Validate checks the configuration without I/O and reports every problem.
func (cfg *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	switch cfg.Metrics.MatchType {
	case MatchGlob, MatchRegexp:
	default:
		bad("metrics::match_type %q: must be %q or %q", cfg.Metrics.MatchType, MatchGlob, MatchRegexp)
	}
	if len(cfg.Metrics.Include) == 0 {
		bad("metrics::include is empty: no metric would be watched (use [\"*\"] for all)")
	}
	checkPatterns := func(field string, pats []string) {
		for i, p := range pats {
			if _, err := compilePattern(cfg.Metrics.MatchType, p); err != nil {
				bad("%s[%d] %q: %w (fix the pattern or metrics::match_type)", field, i, p, err)
			}
		}
	}
	checkPatterns("metrics::include", cfg.Metrics.Include)
	checkPatterns("metrics::exclude", cfg.Metrics.Exclude)
	if len(cfg.Metrics.Conditions) > 0 {
		if _, err := parseConditions(cfg.Metrics.Conditions, component.TelemetrySettings{}); err != nil {
			bad("metrics::conditions: %w", err)
		}
	}
	for i, a := range cfg.VersionAttributes {
		if a == "" {
			bad("version_attributes[%d]: empty attribute name", i)
		}
	}
	if len(cfg.Quantiles) > 16 {
		bad("quantiles: %d given, at most 16 (each is its own series)", len(cfg.Quantiles))
	}
	for i, q := range cfg.Quantiles {
		if !(q > 0 && q < 1) {
			bad("quantiles[%d] = %v: must be in (0, 1), e.g. 0.95", i, q)
		}
	}
	if _, err := cfg.Detection.detectorConfig(); err != nil {
		bad("detection: %w", err)
	}
	for i, o := range cfg.Overrides {
		if len(o.Metrics) == 0 {
			bad("overrides[%d]::metrics is empty: name the metrics it applies to", i)
		}
		checkPatterns(fmt.Sprintf("overrides[%d]::metrics", i), o.Metrics)
		d := o.apply(cfg.Detection)
		if _, err := d.detectorConfig(); err != nil {
			bad("overrides[%d]: %w", i, err)
		}
	}
	if cfg.Canary.Enabled {
		tc := cfg.Canary.trackerConfig()
		if err := tc.Validate(); err != nil {
			bad("canary: %w", err)
		}
	}
	switch cfg.Emit.Mode {
	case EmitAll, EmitAnomalous:
	default:
		bad("emit::mode %q: must be %q or %q", cfg.Emit.Mode, EmitAnomalous, EmitAll)
	}
	if cfg.Queue.Enabled && cfg.Queue.QueueSize < 1 {
		bad("queue::queue_size = %d: must be at least 1 (e.g. 100000), or set queue::enabled: false", cfg.Queue.QueueSize)
	}
	if cfg.MaxSeries < 1 {
		bad("max_series = %d: must be at least 1 (about 1.8 KiB each)", cfg.MaxSeries)
	}
	if cfg.IdleTTL < 0 {
		bad("idle_ttl = %v: must not be negative (0 = never expire)", cfg.IdleTTL)
	}
	if cfg.FlushInterval <= 0 {
		bad("flush_interval = %v: must be positive, e.g. 1m", cfg.FlushInterval)
	}
	if cfg.Storage != nil && cfg.SnapshotInterval <= 0 {
		bad("snapshot_interval = %v: must be positive when storage is set, e.g. 5m", cfg.SnapshotInterval)
	}
	return errors.Join(errs...)
}

// apply returns d with the override's set fields.
func (o *OverrideConfig) apply(d DetectionConfig) DetectionConfig {
	if o.Threshold != nil {
		d.Threshold = *o.Threshold
	}
	if o.ExitThreshold != nil {
		d.ExitThreshold = *o.ExitThreshold
	}
	if o.Seasonality != nil {
		d.Seasonality = *o.Seasonality
	}
	if o.BandWidth != nil {
		d.BandWidth = *o.BandWidth
	}
	if o.Limit != nil {
		d.Limit = o.Limit
	}
	if o.Horizon != nil {
		d.Horizon = *o.Horizon
	}
	return d
}

// detectorConfig maps the user knobs onto the engine's configuration; the
// knobs not exposed keep the engine defaults (TUNING.md).
func (d *DetectionConfig) detectorConfig() (detector.Config, error) {
	c := detector.DefaultConfig()
	c.Threshold = d.Threshold
	c.ExitThreshold = d.ExitThreshold
	c.CoolDown = d.CoolDown
	c.Warmup = d.Warmup
	c.BandWidth = d.BandWidth
	var errs []error
	switch d.Seasonality {
	case SeasonalityAuto:
		c.Seasonal.Mode = detector.SeasonalityAuto
	case SeasonalityDaily:
		c.Seasonal.Mode = detector.SeasonalityDaily
	case SeasonalityOff:
		c.Seasonal.Mode = detector.SeasonalityOff
	default:
		errs = append(errs, fmt.Errorf("seasonality %q: must be auto, daily or off", d.Seasonality))
	}
	c.Drift.Limit = math.NaN()
	if d.Limit != nil {
		c.Drift.Limit = *d.Limit
	}
	c.Drift.Horizon = d.Horizon
	c.Deploy.Enabled = d.PostChange
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// compilePattern compiles a metric name pattern of the given match type into
// an anchored regexp.
func compilePattern(matchType, p string) (*regexp.Regexp, error) {
	if p == "" {
		return nil, errors.New("empty pattern")
	}
	if matchType == MatchRegexp {
		return regexp.Compile("^(?:" + p + ")$")
	}
	var b []byte
	b = append(b, '^')
	for _, r := range p {
		switch r {
		case '*':
			b = append(b, ".*"...)
		case '?':
			b = append(b, '.')
		default:
			b = append(b, regexp.QuoteMeta(string(r))...)
		}
	}
	b = append(b, '$')
	return regexp.Compile(string(b))
}
