package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// DestinationPrefix starts the outbox destination of every receiver:
// "notify/<receiver name>".
const DestinationPrefix = "notify/"

var _ delivery.Deliverer = (*Notifier)(nil)

// Notifier plans notifications for store changes (Plan, EnqueueRepeats) and
// delivers them (Deliver). It is safe for concurrent use.
type Notifier struct {
	router      router
	receivers   []receiver
	byDest      map[string]*receiver
	incidentURL string
	logger      *zap.Logger
}

// receiver is a configured receiver with its channel.
type receiver struct {
	name, destination string
	channel           channel
}

// channel renders a stored document for one kind of receiver and sends it.
type channel interface {
	send(ctx context.Context, m store.OutboxMessage, doc *Document) error
	closeIdle()
}

// New builds the receivers' HTTP clients from their confighttp settings
// (TLS, proxy, headers, auth extensions found through host). cfg must be
// valid (Config.Validate). It opens no connection.
func New(cfg Config, host component.Host, set component.TelemetrySettings) (*Notifier, error) {
	return newNotifier(cfg, host, set, time.Now)
}

func newNotifier(cfg Config, host component.Host, set component.TelemetrySettings, now func() time.Time) (*Notifier, error) {
	var exts map[component.ID]component.Component
	if host != nil {
		exts = host.GetExtensions()
	}
	n := &Notifier{
		receivers: make([]receiver, len(cfg.Receivers)), byDest: map[string]*receiver{},
		incidentURL: cfg.IncidentURL, logger: set.Logger,
	}
	index := map[string]int{}
	for i, rc := range cfg.Receivers {
		ch, err := newChannel(rc, exts, set, now)
		if err != nil {
			return nil, fmt.Errorf("notify: receiver %q: %w", rc.Name, err)
		}
		n.receivers[i] = receiver{name: rc.Name, destination: DestinationPrefix + rc.Name, channel: ch}
		n.byDest[n.receivers[i].destination] = &n.receivers[i]
		index[rc.Name] = i
	}
	n.router = newRouter(cfg.Routes, index)
	return n, nil
}

func newChannel(rc ReceiverConfig, exts map[component.ID]component.Component, set component.TelemetrySettings, now func() time.Time) (channel, error) {
	client := func(kind string, cc confighttp.ClientConfig) (poster, error) {
		c, err := cc.ToClient(context.Background(), exts, set)
		if err != nil {
			return poster{}, fmt.Errorf("%s client: %w", kind, err)
		}
		return poster{client: c, what: fmt.Sprintf("%s receiver %q", kind, rc.Name), now: now}, nil
	}
	switch {
	case rc.Webhook != nil:
		p, err := client("webhook", rc.Webhook.ClientConfig)
		return &webhook{poster: p, endpoint: rc.Webhook.ClientConfig.Endpoint, secret: []byte(rc.Webhook.Secret)}, err
	case rc.Slack != nil:
		p, err := client("slack", rc.Slack.ClientConfig)
		return &slack{poster: p, url: string(rc.Slack.WebhookURL)}, err
	case rc.PagerDuty != nil:
		p, err := client("pagerduty", rc.PagerDuty.ClientConfig)
		endpoint := rc.PagerDuty.ClientConfig.Endpoint
		if endpoint == "" {
			endpoint = DefaultPagerDutyEndpoint
		}
		return &pagerDuty{poster: p, endpoint: endpoint, routingKey: string(rc.PagerDuty.RoutingKey), source: rc.PagerDuty.Source}, err
	case rc.Alertmanager != nil:
		p, err := client("alertmanager", rc.Alertmanager.ClientConfig)
		return &alertmanager{poster: p, endpoint: rc.Alertmanager.ClientConfig.Endpoint, receiver: rc.Name}, err
	default:
		return nil, fmt.Errorf("no channel configured (set webhook, slack, pagerduty or alertmanager)")
	}
}

// Plan is the store's Planner for notifications: it routes a change and
// returns one message per receiver to notify, with destination
// "notify/<receiver>", key "<incident id>/<sequence>/notify/<receiver>"
// and the Document as payload (rendered once, shared by all receivers). A
// change that changed nothing, or that an active silence covers, plans
// nothing. Plan does no I/O.
func (n *Notifier) Plan(c store.Change) []store.OutboxMessage {
	if !c.Changed || len(c.SilencedBy) > 0 {
		return nil
	}
	var buf [8]target
	targets := n.router.match(c.Update.Event, &c.Update.Incident, buf[:0])
	if len(targets) == 0 {
		return nil
	}
	inc := &c.Update.Incident
	payload, err := json.Marshal(newDocument(&c, 0, n.incidentURL))
	if err != nil {
		// Unreachable with the document's plain types; never lose the
		// change over it.
		n.logger.Error("Rendering a notification failed; not notified", zap.String("incident", inc.ID), zap.Error(err))
		return nil
	}
	prefix := inc.ID + "/" + strconv.FormatInt(inc.Sequence, 10) + "/"
	msgs := make([]store.OutboxMessage, len(targets))
	for i, t := range targets {
		dest := n.receivers[t.receiver].destination
		msgs[i] = store.OutboxMessage{Destination: dest, Key: prefix + dest, IncidentID: inc.ID, Payload: payload}
	}
	return msgs
}

// Deliver sends one notification: it decodes the stored Document and renders
// it for the destination's channel. It implements delivery.Deliverer.
func (n *Notifier) Deliver(ctx context.Context, m store.OutboxMessage) error {
	r, ok := n.byDest[m.Destination]
	if !ok {
		return fmt.Errorf("notify: no receiver for destination %q (removed from the configuration?): %w", m.Destination, delivery.ErrUnknownDestination)
	}
	doc, err := decodeDocument(m.Payload)
	if err != nil {
		return delivery.Permanent(fmt.Errorf("notify: receiver %q: %w", r.name, err))
	}
	return r.channel.send(ctx, m, doc)
}

// Deliverers returns the notifier as the deliverer of each receiver's
// destination, for delivery.New.
func (n *Notifier) Deliverers() map[string]delivery.Deliverer {
	out := make(map[string]delivery.Deliverer, len(n.receivers))
	for _, r := range n.receivers {
		out[r.destination] = n
	}
	return out
}

// Close releases idle connections of the receivers' clients.
func (n *Notifier) Close() {
	for _, r := range n.receivers {
		r.channel.closeIdle()
	}
}
