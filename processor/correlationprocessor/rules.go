package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"fmt"
	"slices"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// defaultEntityAttributes identify the entity of a finding: the resource
// attributes the engine knows as topology (service, pod, node, host,
// hardware) plus the usual scoping attributes.
var defaultEntityAttributes = []string{
	"service.namespace", "service.name",
	"k8s.cluster.name", "k8s.namespace.name", "k8s.pod.name", "k8s.node.name",
	"host.name", "hw.id",
}

// Built-in rule names.
const (
	ruleAlertmanager = "alertmanager"
	ruleChanges      = "changes"
	ruleK8sEvents    = "k8s_events"
	ruleHardware     = "hardware"
	ruleErrorLogs    = "error_logs"
)

// defaultRules returns the built-in rules, most specific first.
func defaultRules() []RuleConfig {
	return []RuleConfig{
		{
			// Alertmanager webhook payloads, e.g. from the webhook_event
			// receiver (body is the JSON text) or already parsed into a map.
			Name: ruleAlertmanager,
			Conditions: []string{
				`IsString(body) and IsMatch(body, "\"alerts\"\\s*:\\s*\\[") and IsMatch(body, "\"groupKey\"")`,
				`IsMap(body) and body["alerts"] != nil and body["groupKey"] != nil`,
			},
			Kind:   string(incident.KindAlert),
			Unpack: unpackAlertmanager,
		},
		{
			// Deploy and configuration changes.
			Name: ruleChanges,
			Conditions: []string{
				`event_name == "deployment" or event_name == "aiops.change"`,
				`attributes["event.name"] == "deployment" or attributes["event.name"] == "aiops.change"`,
			},
			Kind:                  string(incident.KindChange),
			Severity:              "info",
			Title:                 "{{body}}",
			FingerprintAttributes: []string{"deployment.id", "change.kind", "change.to"},
			EvidenceAttributes:    []string{"change.kind", "change.from", "change.to", "deployment.id"},
		},
		{
			// Kubernetes Warning events (k8s_events receiver, or k8sobjects
			// with the k8s.event.* attributes set upstream).
			Name: ruleK8sEvents,
			Conditions: []string{
				`attributes["k8s.event.reason"] != nil and severity_number >= SEVERITY_NUMBER_WARN`,
				`attributes["k8s.event.reason"] != nil and severity_text == "Warning"`,
			},
			Kind:     string(incident.KindK8sEvent),
			Severity: "warning",
			EntityAttributes: []string{
				"k8s.cluster.name", "k8s.namespace.name", "k8s.node.name",
				"k8s.object.kind", "k8s.object.name",
			},
			FingerprintAttributes: []string{"k8s.event.reason"},
			EvidenceAttributes:    []string{"k8s.event.reason", "k8s.event.name"},
		},
		{
			// Hardware state changes and event log entries (redfish receiver or
			// any source that names the component in hw.id).
			Name: ruleHardware,
			Conditions: []string{
				`attributes["hw.id"] != nil and severity_number >= SEVERITY_NUMBER_WARN`,
				`resource.attributes["hw.id"] != nil and severity_number >= SEVERITY_NUMBER_WARN`,
			},
			Kind:                  string(incident.KindHardware),
			Severity:              severityFromRecord,
			FingerprintAttributes: []string{"hw.state", "redfish.message_id"},
			EvidenceAttributes:    []string{"hw.type", "hw.name", "hw.state", "hw.state.previous", "redfish.message_id"},
		},
		{
			// Application and system error logs.
			Name:                  ruleErrorLogs,
			Conditions:            []string{`severity_number >= SEVERITY_NUMBER_ERROR`},
			Kind:                  string(incident.KindErrorLog),
			Severity:              severityFromRecord,
			FingerprintAttributes: []string{"exception.type", "code.function.name"},
			EvidenceAttributes:    []string{"exception.type", "exception.message"},
		},
	}
}

// effectiveRules returns the user's rules followed by the built-in rules
// they do not replace by name.
func effectiveRules(cfg *Config) []RuleConfig {
	rules := slices.Clone(cfg.Rules)
	if !cfg.DefaultRules {
		return rules
	}
	for _, d := range defaultRules() {
		if !slices.ContainsFunc(cfg.Rules, func(r RuleConfig) bool { return r.Name == d.Name }) {
			rules = append(rules, d)
		}
	}
	return rules
}

// rule is a compiled RuleConfig.
type rule struct {
	RuleConfig
	kind     incident.Kind
	severity incident.Severity // 0: from the record
	entity   []string
	cond     ottl.ConditionSequence[*ottllog.TransformContext]
	title    []titlePart
}

type titlePart struct {
	lit  string
	attr string // "" for a literal; "body" for the body
}

func logFunctions() map[string]ottl.Factory[*ottllog.TransformContext] {
	return ottlfuncs.StandardConverters[*ottllog.TransformContext]()
}

// compileRules parses every rule's OTTL conditions and title. Errors name the
// rule and the condition.
func compileRules(cfg *Config, set component.TelemetrySettings) ([]*rule, error) {
	parser, err := ottllog.NewParser(logFunctions(), set)
	if err != nil {
		return nil, fmt.Errorf("correlation: OTTL parser: %w", err)
	}
	entity := entityKeys(cfg.EntityAttributes, cfg.MatchAttributes)
	var out []*rule
	for _, rc := range effectiveRules(cfg) {
		r := &rule{RuleConfig: rc, kind: incident.Kind(rc.Kind), entity: entity}
		if len(rc.EntityAttributes) > 0 {
			r.entity = entityKeys(rc.EntityAttributes, cfg.MatchAttributes)
		}
		if r.kind == "" {
			r.kind = incident.KindAlert
		}
		if rc.Severity != "" && rc.Severity != severityFromRecord {
			if r.severity, err = incident.ParseSeverity(rc.Severity); err != nil {
				return nil, fmt.Errorf("correlation: rule %q: severity: %w", rc.Name, err)
			}
		}
		conds := make([]*ottl.Condition[*ottllog.TransformContext], 0, len(rc.Conditions))
		for i, c := range rc.Conditions {
			pc, err := parser.ParseCondition(c)
			if err != nil {
				return nil, fmt.Errorf("correlation: rule %q: conditions[%d] %q: %w (conditions use the OTTL log context: body, attributes[\"k\"], resource.attributes[\"k\"], severity_number, event_name)", rc.Name, i, c, err)
			}
			conds = append(conds, pc)
		}
		r.cond = ottllog.NewConditionSequence(conds, set, ottllog.WithConditionSequenceErrorMode(ottl.IgnoreError))
		r.title = parseTitle(rc.Title)
		out = append(out, r)
	}
	return out, nil
}

func entityKeys(keys, match []string) []string {
	out := slices.Clone(keys)
	for _, m := range match {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// parseTitle splits a template into literals and {{name}} references (not
// ${name}: the collector's configuration resolver would expand that as an
// environment variable); an unterminated {{ is kept literally.
func parseTitle(t string) []titlePart {
	var parts []titlePart
	for t != "" {
		i := strings.Index(t, "{{")
		if i < 0 {
			parts = append(parts, titlePart{lit: t})
			break
		}
		j := strings.Index(t[i:], "}}")
		if j < 0 {
			parts = append(parts, titlePart{lit: t})
			break
		}
		if i > 0 {
			parts = append(parts, titlePart{lit: t[:i]})
		}
		parts = append(parts, titlePart{attr: strings.TrimSpace(t[i+2 : i+j])})
		t = t[i+j+2:]
	}
	return parts
}
