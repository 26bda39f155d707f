package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"encoding/json"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/alertmanager"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// maxAlertsPerPayload bounds the findings one webhook payload can produce.
const maxAlertsPerPayload = 1000

// amEntityLabels map Prometheus label names onto entity attributes; the first
// label present wins for each attribute.
var amEntityLabels = []struct {
	attr   string
	labels []string
}{
	{"service.name", []string{"service_name", "service"}},
	{"service.namespace", []string{"service_namespace"}},
	{"host.name", []string{"host_name", "hostname", "host", "instance"}},
	{"k8s.node.name", []string{"k8s_node_name", "node"}},
	{"k8s.namespace.name", []string{"k8s_namespace_name", "namespace"}},
	{"k8s.pod.name", []string{"k8s_pod_name", "pod"}},
	{"k8s.cluster.name", []string{"k8s_cluster_name", "cluster"}},
	{"hw.id", []string{"hw_id"}},
}

// alertmanager decodes the webhook payload in lr's body (JSON text or a
// parsed map) and appends one finding per firing alert. Resolved alerts are
// skipped: the engine resolves incidents after the quiet period.
func (c *logClassifier) alertmanager(r *rule, res pcommon.Map, lr plog.LogRecord, dst []incident.Finding) ([]incident.Finding, int) {
	var raw []byte
	switch body := lr.Body(); body.Type() {
	case pcommon.ValueTypeStr:
		raw = []byte(body.Str())
	case pcommon.ValueTypeBytes:
		raw = body.Bytes().AsRaw()
	case pcommon.ValueTypeMap:
		var err error
		if raw, err = json.Marshal(body.Map().AsRaw()); err != nil {
			return dst, 1
		}
	default:
		return dst, 1
	}
	var p alertmanager.Message
	if err := json.Unmarshal(raw, &p); err != nil {
		return dst, 1
	}
	fallback := recordTime(lr)
	invalid := 0
	for i, a := range p.Alerts {
		if i == maxAlertsPerPayload {
			invalid += len(p.Alerts) - i
			break
		}
		if a.Status != "" && a.Status != "firing" {
			continue
		}
		f, ok := c.alertFinding(r, res, a, fallback)
		if !ok {
			invalid++
			continue
		}
		dst = append(dst, f)
	}
	return dst, invalid
}

func (c *logClassifier) alertFinding(r *rule, res pcommon.Map, a alertmanager.Alert, fallback time.Time) (incident.Finding, bool) {
	at := a.StartsAt
	if at.IsZero() || at.Year() < 1971 {
		at = fallback
	}
	if at.IsZero() {
		return incident.Finding{}, false
	}
	ent := map[string]string{}
	for _, m := range amEntityLabels {
		for _, l := range m.labels {
			if v := a.Labels[l]; v != "" {
				if l == "instance" {
					if h, _, err := net.SplitHostPort(v); err == nil {
						v = h
					}
				}
				ent[m.attr] = v
				break
			}
		}
	}
	for _, k := range r.entity {
		if _, ok := ent[k]; ok {
			continue
		}
		if v := a.Labels[strings.ReplaceAll(k, ".", "_")]; v != "" {
			ent[k] = v
		}
	}
	if len(ent) == 0 {
		// No identifying label: the alert is about the sender's resource.
		for _, k := range r.entity {
			if v, ok := res.Get(k); ok && v.AsString() != "" {
				ent[k] = v.AsString()
			}
		}
	}
	name := a.Labels["alertname"]
	if len(ent) == 0 && name != "" {
		// Nothing identifies what the alert is about: an isolated entity per
		// alert name, so that it still opens (or joins by time) an incident.
		ent["alertname"] = name
	}
	entity := incident.NewEntity(ent)
	id := a.Fingerprint
	if id == "" {
		keys := slices.Sorted(maps.Keys(a.Labels))
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(a.Labels[k])
			b.WriteByte(',')
		}
		id = b.String()
	}
	fp := incident.NewFingerprint(r.kind, entity, name, id)
	sev := r.severity
	if sev == 0 {
		sev = alertSeverity(a.Labels["severity"])
	}
	title := a.Annotations["summary"]
	if title == "" {
		title = name + " firing"
	}
	f := incident.Finding{
		ID:          incident.NewFindingID(fp, strconv.FormatInt(at.UnixNano(), 10)),
		Fingerprint: fp,
		Kind:        r.kind,
		Severity:    sev,
		Time:        at.UTC(),
		Entity:      entity,
		Signal:      name,
		Score:       1,
		Source:      c.source,
		Title:       firstLine(title),
		Summary:     a.Annotations["description"],
		Evidence:    map[string]string{"alertname": name},
	}
	if a.GeneratorURL != "" {
		f.Evidence["generator_url"] = a.GeneratorURL
	}
	if s := a.Labels["severity"]; s != "" {
		f.Evidence["severity"] = s
	}
	return f, f.Validate() == nil
}

// alertSeverity maps the conventional severity label onto a Severity,
// warning when absent or unknown.
func alertSeverity(s string) incident.Severity {
	switch strings.ToLower(s) {
	case "critical", "page", "fatal", "emergency", "disaster":
		return incident.SeverityCritical
	case "error", "major", "high":
		return incident.SeverityError
	case "info", "informational", "none", "low":
		return incident.SeverityInfo
	default:
		return incident.SeverityWarning
	}
}
