package correlationprocessor

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	storageID := component.MustNewIDWithName("file_storage", "correlation")
	custom := createDefaultConfig().(*Config)
	custom.GroupWait = 10 * time.Second
	custom.GroupInterval = time.Minute
	custom.Window = 3 * time.Minute
	custom.ResolveAfter = 10 * time.Minute
	custom.MaxOpenIncidents = 1000
	custom.MaxMembers = 100
	custom.TopK = 5
	custom.ChangeLookback = time.Hour
	custom.MatchAttributes = []string{"k8s.cluster.name"}
	custom.Dependencies = map[string][]string{"checkout": {"payments", "inventory"}}
	custom.EdgeTTL = 30 * time.Minute
	custom.EntityAttributes = []string{"service.name", "host.name"}
	custom.DefaultRules = false
	custom.Rules = []RuleConfig{{
		Name:                  "oom",
		Conditions:            []string{`IsMatch(body, "OutOfMemory")`},
		Kind:                  "error_log",
		Severity:              "critical",
		Title:                 "OOM in {{service.name}}: {{body}}",
		FingerprintAttributes: []string{"exception.type"},
		EvidenceAttributes:    []string{"exception.message"},
	}}
	custom.Anomalies = AnomaliesConfig{Enabled: true, Metric: "custom.anomaly", ScoreMetric: "custom.anomaly.score", Severity: "error"}
	custom.Traces = TracesConfig{ErrorSpans: false, Edges: true}
	custom.DropAbsorbedFindings = true
	custom.TickInterval = time.Second
	custom.Storage = &storageID
	custom.SnapshotInterval = 30 * time.Second

	for _, tt := range []struct {
		id   component.ID
		want component.Config
	}{
		{component.NewID(metadata.Type), createDefaultConfig()},
		{component.NewIDWithName(metadata.Type, "custom"), custom},
	} {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			assert.NoError(t, cfg.(*Config).Validate())
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tt := range []struct {
		name    string
		mutate  func(*Config)
		wantErr []string
	}{
		{"default", func(*Config) {}, nil},
		{"resolve before open", func(c *Config) { c.ResolveAfter = time.Second }, []string{"resolve_after"}},
		{"bad counts", func(c *Config) { c.TopK, c.MaxMembers = 0, -1 }, []string{"top_k: must be at least 1", "max_members: must be at least 1"}},
		{"no tick", func(c *Config) { c.TickInterval = 0 }, []string{"tick_interval = 0s: must be positive"}},
		{"storage without interval", func(c *Config) {
			id := component.MustNewID("file_storage")
			c.Storage, c.SnapshotInterval = &id, 0
		}, []string{"snapshot_interval"}},
		{"empty dependency", func(c *Config) { c.Dependencies = map[string][]string{"a": {""}} }, []string{`dependencies["a"]: empty callee`}},
		{"no entity attributes", func(c *Config) { c.EntityAttributes = nil }, []string{"entity_attributes: must name at least one"}},
		{"anomaly severity", func(c *Config) { c.Anomalies.Severity = "loud" }, []string{`anomalies::severity: unknown severity "loud"`}},
		{"rule problems", func(c *Config) {
			c.Rules = []RuleConfig{
				{Name: "", Kind: "alert"},
				{Name: "x", Conditions: []string{"true"}, Severity: "loud", Unpack: "zip"},
				{Name: "x", Conditions: []string{"true"}, Kind: "alert"},
			}
		}, []string{
			`rules[0] (""): name: must not be empty`,
			`rules[0] (""): conditions: at least one OTTL condition is required`,
			`rules[1] ("x"): severity: unknown severity "loud"`,
			`unpack: unknown "zip"`,
			`rules[2]: duplicate rule name "x"`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tt.mutate(cfg)
			err := cfg.Validate()
			if len(tt.wantErr) == 0 {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestRuleConditionErrors checks that an OTTL mistake names the rule, the
// condition and what went wrong, at creation.
func TestRuleConditionErrors(t *testing.T) {
	for _, tt := range []struct {
		cond    string
		wantErr []string
	}{
		{`severity_number >=`, []string{`rule "bad": conditions[0] "severity_number >="`}},
		{`attributes["x"] == `, []string{`rule "bad"`, "conditions[0]"}},
		{`NoSuchFunc(body)`, []string{`rule "bad"`, "NoSuchFunc"}},
		{`spans.name == "x"`, []string{`rule "bad"`, "OTTL log context"}},
	} {
		t.Run(tt.cond, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Rules = []RuleConfig{{Name: "bad", Conditions: []string{tt.cond}, Kind: "alert"}}
			require.NoError(t, cfg.Validate())
			_, err := compileRules(cfg, newSettings(t).TelemetrySettings)
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "correlation: "), err.Error())
		})
	}
}

func TestDefaultRulesCompile(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	rules, err := compileRules(cfg, newSettings(t).TelemetrySettings)
	require.NoError(t, err)
	var names []string
	for _, r := range rules {
		names = append(names, r.Name)
	}
	assert.Equal(t, []string{ruleAlertmanager, ruleChanges, ruleK8sEvents, ruleHardware, ruleErrorLogs}, names)

	// A user rule named like a built-in one replaces it; others go first.
	cfg.Rules = []RuleConfig{
		{Name: "mine", Conditions: []string{"true"}, Kind: "alert"},
		{Name: ruleErrorLogs, Conditions: []string{"severity_number >= SEVERITY_NUMBER_FATAL"}, Kind: "error_log"},
	}
	rules, err = compileRules(cfg, newSettings(t).TelemetrySettings)
	require.NoError(t, err)
	names = names[:0]
	for _, r := range rules {
		names = append(names, r.Name)
	}
	assert.Equal(t, []string{"mine", ruleErrorLogs, ruleAlertmanager, ruleChanges, ruleK8sEvents, ruleHardware}, names)
}

// TestExampleConfig keeps configs/correlation.yaml's processor section valid.
func TestExampleConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("..", "..", "configs", "correlation.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub("processors::correlation")
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	_, err = compileRules(cfg, newSettings(t).TelemetrySettings)
	require.NoError(t, err)
	assert.Equal(t, "oom", cfg.Rules[0].Name)
}
