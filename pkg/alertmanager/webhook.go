// Package alertmanager holds the wire format of Alertmanager's webhook
// notifications (payload version 4), which the correlation processor reads
// (alerts delivered as logs) and the incident exporter writes (its
// alertmanager channel). Alertmanager's own definition (notify/webhook.Message
// over template.Data) lives in a package that pulls in its whole notifier
// stack, so the two sides share this copy of the JSON shape instead.
package alertmanager // import "github.com/otelcol-aiops/otelcol-aiops/pkg/alertmanager"

import "time"

// Version is the webhook payload version these types describe.
const Version = "4"

// Message is one webhook notification: a group of alerts.
type Message struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"` // firing or resolved
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []Alert           `json:"alerts"`
}

// Alert is one alert of a Message.
type Alert struct {
	Status       string            `json:"status"` // firing or resolved
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}
