package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	am "github.com/otelcol-aiops/otelcol-aiops/pkg/alertmanager"
)

// alertName is the alertname label of every incident alert.
const alertName = "AiopsIncident"

// alertmanager posts Alertmanager's webhook payload (version 4): one group
// per incident, holding one alert.
type alertmanager struct {
	poster
	endpoint string
	receiver string
}

func (a *alertmanager) send(ctx context.Context, m store.OutboxMessage, doc *Document) error {
	body, err := json.Marshal(renderAlertmanager(doc, a.receiver))
	if err != nil {
		return delivery.Permanent(fmt.Errorf("%s: rendering: %w", a.what, err))
	}
	h := http.Header{}
	h.Set(IdempotencyKeyHeader, m.Key)
	return a.post(ctx, a.endpoint, body, h)
}

func renderAlertmanager(d *Document, receiver string) am.Message {
	inc := &d.Incident
	status := "firing"
	if inc.Status == "resolved" {
		status = "resolved"
	}
	labels := amLabels(inc)
	annotations := map[string]string{
		"title": inc.Title, "event": d.Event, "status": inc.Status,
		"sequence": strconv.FormatInt(inc.Sequence, 10),
	}
	putIf(annotations, "summary", inc.Summary)
	putIf(annotations, "url", d.URL)
	if len(inc.RootCauses) > 0 {
		rc := inc.RootCauses[0]
		annotations["root_cause"] = fmt.Sprintf("%s (%s, score %.2f)", entityKey(rc.Entity), rc.Kind, rc.Score)
	}
	if n := inc.Narrative; n != nil {
		putIf(annotations, "description", n.Text)
	}
	groupLabels := map[string]string{"incident_id": labels["incident_id"]}
	return am.Message{
		Version: am.Version, GroupKey: "{}:{incident_id=" + strconv.Quote(labels["incident_id"]) + "}",
		Status: status, Receiver: receiver, GroupLabels: groupLabels,
		CommonLabels: labels, CommonAnnotations: annotations, ExternalURL: origin(d.URL),
		Alerts: []am.Alert{{
			Status: status, Labels: labels, Annotations: annotations,
			StartsAt: inc.OpenedAt, EndsAt: inc.ResolvedAt, GeneratorURL: d.URL, Fingerprint: fingerprint(labels),
		}},
	}
}

// amLabels are the alert's identity: alertname, incident_id, severity,
// service and host (comma-joined), and the incident's labels whose names are
// valid Prometheus label names and do not clash.
func amLabels(inc *DocIncident) map[string]string {
	labels := map[string]string{
		"alertname": alertName, "incident_id": inc.ID, "severity": inc.Severity,
	}
	putIf(labels, "service", strings.Join(inc.Services, ","))
	putIf(labels, "host", strings.Join(inc.Hosts, ","))
	for _, k := range sortedKeys(inc.Labels) {
		name := labelName(k)
		if _, taken := labels[name]; !taken && name != "" {
			labels[name] = inc.Labels[k]
		}
	}
	return labels
}

// labelName maps a label key to a Prometheus label name: characters other
// than [a-zA-Z0-9_] become '_', a leading digit gets a '_' prefix, and the
// reserved "__" prefix is refused.
func labelName(k string) string {
	var b strings.Builder
	for i, r := range k {
		switch {
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case r >= '0' && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
		default:
			r = '_'
		}
		b.WriteRune(r)
	}
	name := b.String()
	if strings.HasPrefix(name, "__") {
		return ""
	}
	return name
}

// fingerprint is a stable hash of the sorted labels, as Alertmanager's.
func fingerprint(labels map[string]string) string {
	h := fnv.New64a()
	for _, k := range sortedKeys(labels) {
		h.Write([]byte(k))
		h.Write([]byte{0xff})
		h.Write([]byte(labels[k]))
		h.Write([]byte{0xff})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// origin is scheme://host of a link, Alertmanager's externalURL.
func origin(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func putIf(m map[string]string, k, v string) {
	if v != "" {
		m[k] = v
	}
}
