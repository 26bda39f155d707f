package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/engine"
)

// Config is the configuration of the correlation processor. Every duration of
// the engine is measured in data time (record and data-point timestamps);
// only TickInterval and SnapshotInterval are wall-clock durations.
type Config struct {
	// GroupWait is how long a new group collects findings before its
	// "opened" record is emitted (Alertmanager's group_wait).
	GroupWait time.Duration `mapstructure:"group_wait"`
	// GroupInterval is the least time between two updates of one incident.
	GroupInterval time.Duration `mapstructure:"group_interval"`
	// Window is the sliding grouping window around an incident's findings.
	Window time.Duration `mapstructure:"window"`
	// ResolveAfter is the quiet period after which an incident resolves.
	ResolveAfter time.Duration `mapstructure:"resolve_after"`
	// MaxOpenIncidents caps pending and open incidents.
	MaxOpenIncidents int `mapstructure:"max_open_incidents"`
	// MaxMembers caps the distinct fingerprints kept per incident.
	MaxMembers int `mapstructure:"max_members"`
	// TopK is the number of root-cause candidates reported.
	TopK int `mapstructure:"top_k"`
	// ChangeLookback is how long before a finding a change on the same
	// entity is linked and counted for root cause.
	ChangeLookback time.Duration `mapstructure:"change_lookback"`
	// MatchAttributes must agree for two findings to share an incident
	// (for example k8s.cluster.name); they are also added to every entity.
	MatchAttributes []string `mapstructure:"match_attributes"`
	// Dependencies is the static service dependency map: caller service.name
	// to the service.names it calls.
	Dependencies map[string][]string `mapstructure:"dependencies"`
	// EdgeTTL is how long a learned edge lives after it was last observed.
	EdgeTTL time.Duration `mapstructure:"edge_ttl"`

	// EntityAttributes are the attributes that identify the entity of a
	// finding, looked up in the resource first, then in the record or data
	// point. A rule may override them.
	EntityAttributes []string `mapstructure:"entity_attributes"`
	// DefaultRules adds the built-in log rules (error_logs, hardware,
	// k8s_events, alertmanager, changes) after Rules. A rule in Rules with
	// the name of a built-in one replaces it.
	DefaultRules bool `mapstructure:"default_rules"`
	// Rules classify log records into findings; the first match wins.
	Rules []RuleConfig `mapstructure:"rules"`
	// Anomalies reads the regression processor's anomaly event series.
	Anomalies AnomaliesConfig `mapstructure:"anomalies"`
	// Traces reads error spans and service edges.
	Traces TracesConfig `mapstructure:"traces"`
	// DropAbsorbedFindings removes the log records that became findings
	// (rule matches and aiops.finding records) from the logs passing through.
	DropAbsorbedFindings bool `mapstructure:"drop_absorbed_findings"`

	// TickInterval is the wall-clock period of the flush ticker that lets
	// incidents open and resolve without new data.
	TickInterval time.Duration `mapstructure:"tick_interval"`
	// Storage is the ID of a storage extension that keeps the engine state
	// (open incidents, members, learned edges) across restarts.
	Storage *component.ID `mapstructure:"storage"`
	// SnapshotInterval is the least wall-clock time between two saves of a
	// changed state (checked on each tick); the state is also saved at
	// shutdown.
	SnapshotInterval time.Duration `mapstructure:"snapshot_interval"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// AnomaliesConfig selects the anomaly event series of the regression
// processor.
type AnomaliesConfig struct {
	// Enabled turns anomaly series into findings.
	Enabled bool `mapstructure:"enabled"`
	// Metric is the anomaly event gauge (1 while open, 0 on close).
	Metric string `mapstructure:"metric"`
	// ScoreMetric is the anomaly score gauge read at the same point, if
	// present in the same batch; the score defaults to 1.
	ScoreMetric string `mapstructure:"score_metric"`
	// Severity of anomaly findings.
	Severity string `mapstructure:"severity"`
}

// TracesConfig selects what traces contribute.
type TracesConfig struct {
	// ErrorSpans turns spans with status Error into findings.
	ErrorSpans bool `mapstructure:"error_spans"`
	// Edges learns client→server service edges.
	Edges bool `mapstructure:"edges"`
}

// RuleConfig classifies log records into findings.
type RuleConfig struct {
	// Name identifies the rule; it becomes the finding's signal and is part
	// of its fingerprint.
	Name string `mapstructure:"name"`
	// Conditions are OTTL conditions on the log context; the rule matches
	// if any is true.
	Conditions []string `mapstructure:"conditions"`
	// Kind of the findings: anomaly, alert, error_log, hardware, change,
	// error_span, k8s_event (or any other word).
	Kind string `mapstructure:"kind"`
	// Severity is info, warning, error or critical, or from_record (the
	// record's severity number, warning when unspecified).
	Severity string `mapstructure:"severity"`
	// EntityAttributes override the processor's entity_attributes.
	EntityAttributes []string `mapstructure:"entity_attributes"`
	// Title is a template for the finding title: {{body}} is the body as a
	// string, {{name}} the attribute name of the record, else of the resource.
	// Empty means the body (first line, up to 200 characters).
	Title string `mapstructure:"title"`
	// FingerprintAttributes are record (else resource) attributes that tell
	// two troubles of the same entity and rule apart.
	FingerprintAttributes []string `mapstructure:"fingerprint_attributes"`
	// EvidenceAttributes are record attributes copied into the finding's
	// evidence; for changes: change.kind, change.from, change.to.
	EvidenceAttributes []string `mapstructure:"evidence_attributes"`
	// Unpack decodes the body instead of taking the record as one finding:
	// "alertmanager" reads the Alertmanager webhook JSON and yields one
	// finding per firing alert.
	Unpack string `mapstructure:"unpack"`
}

const (
	severityFromRecord = "from_record"
	unpackAlertmanager = "alertmanager"
)

var _ component.Config = (*Config)(nil)

func (cfg *Config) engineConfig() engine.Config {
	c := engine.DefaultConfig()
	c.GroupWait = cfg.GroupWait
	c.GroupInterval = cfg.GroupInterval
	c.Window = cfg.Window
	c.ResolveAfter = cfg.ResolveAfter
	c.MaxOpenIncidents = cfg.MaxOpenIncidents
	c.MaxMembers = cfg.MaxMembers
	c.TopK = cfg.TopK
	c.ChangeLookback = cfg.ChangeLookback
	c.MatchAttributes = cfg.MatchAttributes
	c.Dependencies = cfg.Dependencies
	c.EdgeTTL = cfg.EdgeTTL
	return c
}

// Validate checks the configuration without I/O. OTTL conditions are parsed
// when the processor is created, which reports their errors by rule name.
func (cfg *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := cfg.engineConfig().Validate(); err != nil {
		errs = append(errs, err)
	}
	if cfg.TickInterval <= 0 {
		bad("tick_interval = %v: must be positive, e.g. 5s", cfg.TickInterval)
	}
	if cfg.Storage != nil && cfg.SnapshotInterval <= 0 {
		bad("snapshot_interval = %v: must be positive when storage is set, e.g. 10s", cfg.SnapshotInterval)
	}
	for i, a := range cfg.EntityAttributes {
		if a == "" {
			bad("entity_attributes[%d]: must not be empty", i)
		}
	}
	if len(cfg.EntityAttributes) == 0 {
		bad("entity_attributes: must name at least one attribute, e.g. service.name and host.name")
	}
	if cfg.Anomalies.Enabled {
		if cfg.Anomalies.Metric == "" {
			bad("anomalies::metric: must not be empty when anomalies are enabled (the regression processor emits %q)", defaultAnomalyMetric)
		}
		if _, err := incident.ParseSeverity(cfg.Anomalies.Severity); err != nil {
			bad("anomalies::severity: %v", err)
		}
	}
	names := map[string]bool{}
	for i, r := range cfg.Rules {
		for _, err := range r.validate() {
			bad("rules[%d] (%q): %w", i, r.Name, err)
		}
		if r.Name != "" && names[r.Name] {
			bad("rules[%d]: duplicate rule name %q (names must be unique)", i, r.Name)
		}
		names[r.Name] = true
	}
	return errors.Join(errs...)
}

func (r RuleConfig) validate() []error {
	var errs []error
	if r.Name == "" {
		errs = append(errs, errors.New("name: must not be empty"))
	}
	if len(r.Conditions) == 0 {
		errs = append(errs, errors.New("conditions: at least one OTTL condition is required, e.g. severity_number >= SEVERITY_NUMBER_ERROR"))
	}
	for i, c := range r.Conditions {
		if strings.TrimSpace(c) == "" {
			errs = append(errs, fmt.Errorf("conditions[%d]: must not be empty", i))
		}
	}
	if r.Kind == "" && r.Unpack == "" {
		errs = append(errs, errors.New("kind: must not be empty (anomaly, alert, error_log, hardware, change, error_span, k8s_event)"))
	}
	if r.Severity != "" && r.Severity != severityFromRecord {
		if _, err := incident.ParseSeverity(r.Severity); err != nil {
			errs = append(errs, fmt.Errorf("severity: %w (or %s)", err, severityFromRecord))
		}
	}
	if r.Unpack != "" && r.Unpack != unpackAlertmanager {
		errs = append(errs, fmt.Errorf("unpack: unknown %q (want %q or empty)", r.Unpack, unpackAlertmanager))
	}
	for i, a := range r.EntityAttributes {
		if a == "" {
			errs = append(errs, fmt.Errorf("entity_attributes[%d]: must not be empty", i))
		}
	}
	return errs
}
