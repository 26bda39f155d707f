package regressionprocessor

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadata"
)

func ptr[T any](v T) *T { return &v }

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	storageID := component.MustNewIDWithName("file_storage", "regression")
	custom := createDefaultConfig().(*Config)
	custom.Metrics = MetricsConfig{
		MatchType:  MatchRegexp,
		Include:    []string{`http\..*`, `system\.filesystem\.utilization`},
		Exclude:    []string{`.*\.debug`},
		Conditions: []string{`resource.attributes["deployment.environment"] == "prod"`},
	}
	custom.VersionAttributes = []string{"service.version", "k8s.deployment.revision"}
	custom.Quantiles = []float64{0.5, 0.99}
	custom.Detection = DetectionConfig{
		Threshold: 0.45, ExitThreshold: 0.3, CoolDown: 10 * time.Minute, Warmup: 100,
		Seasonality: SeasonalityDaily, BandWidth: 3, Horizon: 12 * time.Hour, PostChange: false,
	}
	custom.Overrides = []OverrideConfig{
		{Metrics: []string{`system\.filesystem\.utilization`}, Limit: ptr(0.9), Seasonality: ptr("off")},
		{Metrics: []string{`http\.server\.request\.duration`}, Threshold: ptr(0.5)},
	}
	custom.Canary = CanaryConfig{
		Enabled: true, Window: 30, VersionTTL: 5 * time.Minute, MaxVersions: 2, MaxGroups: 200,
		MinEffect: 0.6, MinRelativeChange: 0.2,
	}
	custom.Emit = EmitConfig{Mode: EmitAll, Band: false}
	custom.Queue = QueueConfig{Enabled: true, QueueSize: 20000, BlockOnOverflow: true}
	custom.MaxSeries = 5000
	custom.IdleTTL = 2 * time.Hour
	custom.FlushInterval = 30 * time.Second
	custom.Storage = &storageID
	custom.SnapshotInterval = 10 * time.Minute

	tests := []struct {
		id   component.ID
		want component.Config
	}{
		{component.NewID(metadata.Type), createDefaultConfig()},
		{component.NewIDWithName(metadata.Type, "custom"), custom},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			require.NoError(t, cfg.(*Config).Validate())
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestConfigValidateInvalid(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string // every substring must appear
	}{
		{"match type", func(c *Config) { c.Metrics.MatchType = "wildcard" }, []string{`metrics::match_type "wildcard"`}},
		{"empty include", func(c *Config) { c.Metrics.Include = nil }, []string{"metrics::include is empty"}},
		{"bad regexp", func(c *Config) { c.Metrics.MatchType = MatchRegexp; c.Metrics.Exclude = []string{"("} }, []string{"metrics::exclude[0]"}},
		{"bad ottl", func(c *Config) { c.Metrics.Conditions = []string{"not ottl at all =="} }, []string{"metrics::conditions"}},
		{"quantile", func(c *Config) { c.Quantiles = []float64{0.5, 1} }, []string{"quantiles[1] = 1"}},
		{"threshold", func(c *Config) { c.Detection.Threshold = 1.5 }, []string{"detection:", "threshold = 1.5"}},
		{"seasonality", func(c *Config) { c.Detection.Seasonality = "hourly" }, []string{`seasonality "hourly"`}},
		{"override without metrics", func(c *Config) { c.Overrides = []OverrideConfig{{Threshold: ptr(0.5)}} }, []string{"overrides[0]::metrics is empty"}},
		{"override exit above threshold", func(c *Config) {
			c.Overrides = []OverrideConfig{{Metrics: []string{"a*"}, ExitThreshold: ptr(0.9)}}
		}, []string{"overrides[0]:", "exit_threshold = 0.9"}},
		{"emit mode", func(c *Config) { c.Emit.Mode = "some" }, []string{`emit::mode "some"`}},
		{"queue size", func(c *Config) { c.Queue.QueueSize = 0 }, []string{"queue::queue_size = 0", "queue::enabled: false"}},
		{"canary", func(c *Config) { c.Canary.Window = 2; c.Canary.MaxVersions = 4 }, []string{"canary:", "window = 2", "max_versions = 4"}},
		{"max series", func(c *Config) { c.MaxSeries = 0 }, []string{"max_series = 0"}},
		{"idle ttl", func(c *Config) { c.IdleTTL = -time.Second }, []string{"idle_ttl = -1s"}},
		{"flush", func(c *Config) { c.FlushInterval = 0 }, []string{"flush_interval = 0s"}},
		{"snapshot interval", func(c *Config) {
			id := component.MustNewID("file_storage")
			c.Storage, c.SnapshotInterval = &id, 0
		}, []string{"snapshot_interval = 0s"}},
		{"all at once", func(c *Config) { c.MaxSeries = 0; c.FlushInterval = 0; c.Emit.Mode = "" }, []string{"max_series", "flush_interval", "emit::mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tt.mutate(cfg)
			err := cfg.Validate()
			require.Error(t, err)
			for _, w := range tt.want {
				assert.True(t, strings.Contains(err.Error(), w), "%q not in %q", w, err.Error())
			}
		})
	}
}

// TestCanaryOffIsNotValidated: the canary knobs are only checked when the
// comparison is on.
func TestCanaryOffIsNotValidated(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Canary = CanaryConfig{Enabled: false}
	require.NoError(t, cfg.Validate())
}

func TestGlobPattern(t *testing.T) {
	re, err := compilePattern(MatchGlob, "http.*.duration")
	require.NoError(t, err)
	assert.True(t, re.MatchString("http.server.request.duration"))
	assert.False(t, re.MatchString("httpXserver.duration"), "dots are literal")
	assert.False(t, re.MatchString("http.server.duration.sum"), "anchored")
	re, err = compilePattern(MatchGlob, "cpu?")
	require.NoError(t, err)
	assert.True(t, re.MatchString("cpu0"))
}

// TestExampleConfig checks that the regression section of
// configs/regression.yaml decodes and validates.
func TestExampleConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("..", "..", "configs", "regression.yaml"))
	if err != nil {
		t.Skipf("configs/regression.yaml not readable: %v", err)
	}
	sub, err := cm.Sub("processors::regression")
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	require.Len(t, cfg.Overrides, 2)
}
