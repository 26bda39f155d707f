package notify

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// DefaultPagerDutyEndpoint is the PagerDuty Events API v2 endpoint used when
// a pagerduty receiver sets none.
const DefaultPagerDutyEndpoint = "https://events.pagerduty.com/v2/enqueue"

// Config routes incident changes to notification receivers. Its zero value
// (no receivers, no routes) notifies nobody.
type Config struct {
	// Receivers are the places notifications go, each with one channel.
	Receivers []ReceiverConfig `mapstructure:"receivers"`
	// Routes pick the receivers of each change; the component's README
	// has the matching rules (first match wins unless continue is set).
	Routes []RouteConfig `mapstructure:"routes"`
	// IncidentURL links notifications to the incident in a UI or the API:
	// "{id}" is replaced by the incident ID, path-escaped. Empty: no link.
	IncidentURL string `mapstructure:"incident_url"`
}

// ReceiverConfig is one named receiver with exactly one channel set.
type ReceiverConfig struct {
	// Name identifies the receiver in routes and in outbox destinations
	// ("notify/<name>"): letters, digits, '_', '-' and '.'.
	Name         string              `mapstructure:"name"`
	Webhook      *WebhookConfig      `mapstructure:"webhook"`
	Slack        *SlackConfig        `mapstructure:"slack"`
	PagerDuty    *PagerDutyConfig    `mapstructure:"pagerduty"`
	Alertmanager *AlertmanagerConfig `mapstructure:"alertmanager"`
}

// WebhookConfig posts the versioned notification document as JSON.
type WebhookConfig struct {
	ClientConfig confighttp.ClientConfig `mapstructure:",squash"` // a named field: embedding would promote its Unmarshal and drop the sibling fields
	// Secret, when set, signs each request: X-Aiops-Signature carries
	// "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + body)) with the
	// timestamp from X-Aiops-Timestamp.
	Secret configopaque.String `mapstructure:"secret"`
}

// SlackConfig posts to a Slack incoming webhook.
type SlackConfig struct {
	// ClientConfig tunes the client (tls, proxy, timeout, headers); its
	// endpoint must stay empty: the URL is a secret, set webhook_url.
	ClientConfig confighttp.ClientConfig `mapstructure:",squash"`
	// WebhookURL is the incoming webhook's URL (a secret).
	WebhookURL configopaque.String `mapstructure:"webhook_url"`
}

// PagerDutyConfig sends PagerDuty Events API v2 events.
type PagerDutyConfig struct {
	// ClientConfig's endpoint defaults to DefaultPagerDutyEndpoint.
	ClientConfig confighttp.ClientConfig `mapstructure:",squash"`
	// RoutingKey is the integration key of the PagerDuty service (a secret).
	RoutingKey configopaque.String `mapstructure:"routing_key"`
	// Source overrides the event's payload.source; default the incident's
	// first host, else its first service, else "otelcol-aiops".
	Source string `mapstructure:"source"`
}

// AlertmanagerConfig posts Alertmanager's webhook payload (version 4), so
// tools that accept Alertmanager webhooks receive incidents as alerts.
type AlertmanagerConfig struct {
	ClientConfig confighttp.ClientConfig `mapstructure:",squash"`
}

// RouteConfig matches changes and names the receivers to notify. Empty
// conditions match everything.
type RouteConfig struct {
	// Receivers to notify when the route matches.
	Receivers []string `mapstructure:"receivers"`
	// MinSeverity: the incident's severity is at least this one. A pointer
	// because the collector marshals the effective configuration and
	// Severity's zero value is not a severity.
	MinSeverity *incident.Severity `mapstructure:"min_severity"`
	// Services: the incident impacts at least one of them.
	Services []string `mapstructure:"services"`
	// Statuses: the incident's status after the change is one of them.
	Statuses []incident.Status `mapstructure:"statuses"`
	// Events: the change is one of them (opened, reopened, updated,
	// acknowledged, resolved, narrated). Default opened, reopened,
	// acknowledged and resolved.
	Events []string `mapstructure:"events"`
	// RepeatInterval re-sends an open or acknowledged incident to the
	// route's receivers every interval after it opened; 0 never repeats.
	RepeatInterval time.Duration `mapstructure:"repeat_interval"`
	// Continue goes on matching the routes after this one when it matches.
	Continue bool `mapstructure:"continue"`
}

// NewDefaultConfig returns the zero Config: no receivers, nothing sent.
func NewDefaultConfig() Config { return Config{} }

var receiverName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// Validate reports every problem at once, each naming its field and the fix.
// It does no I/O.
func (c Config) Validate() error {
	var errs []error
	names := map[string]bool{}
	for i, r := range c.Receivers {
		field := fmt.Sprintf("receivers[%d]", i)
		switch {
		case !receiverName.MatchString(r.Name):
			errs = append(errs, fmt.Errorf("%s::name: %q must be letters, digits, '_', '-' or '.'", field, r.Name))
		case names[r.Name]:
			errs = append(errs, fmt.Errorf("%s::name: %q is used by another receiver; names must be unique", field, r.Name))
		default:
			field = fmt.Sprintf("receivers[%d] (%s)", i, r.Name)
		}
		names[r.Name] = true
		errs = append(errs, r.validate(field)...)
	}
	used := map[string]bool{}
	for i, rt := range c.Routes {
		errs = append(errs, rt.validate(fmt.Sprintf("routes[%d]", i), names)...)
		for _, n := range rt.Receivers {
			used[n] = true
		}
	}
	for _, r := range c.Receivers {
		if r.Name != "" && !used[r.Name] {
			errs = append(errs, fmt.Errorf("receivers: %q is not used by any route; add it to a route's receivers or remove it", r.Name))
		}
	}
	if c.IncidentURL != "" {
		if !strings.Contains(c.IncidentURL, "{id}") {
			errs = append(errs, fmt.Errorf("incident_url: %q has no {id} placeholder for the incident ID", c.IncidentURL))
		} else if err := checkURL(strings.ReplaceAll(c.IncidentURL, "{id}", "x")); err != nil {
			errs = append(errs, fmt.Errorf("incident_url: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (r ReceiverConfig) validate(field string) []error {
	var errs []error
	set := 0
	if r.Webhook != nil {
		set++
		errs = append(errs, validateClient(field+"::webhook", &r.Webhook.ClientConfig, true)...)
	}
	if r.Slack != nil {
		set++
		if r.Slack.ClientConfig.Endpoint != "" {
			errs = append(errs, fmt.Errorf("%s::slack::endpoint: must be empty; put the incoming webhook URL in webhook_url, which is kept secret", field))
		}
		if r.Slack.WebhookURL == "" {
			errs = append(errs, fmt.Errorf("%s::slack::webhook_url: required (the Slack incoming webhook URL)", field))
		} else if err := checkURL(string(r.Slack.WebhookURL)); err != nil {
			// The URL is a secret: say what is wrong, not what it is.
			errs = append(errs, fmt.Errorf("%s::slack::webhook_url: not an absolute http(s) URL", field))
		}
		errs = append(errs, validateClient(field+"::slack", &r.Slack.ClientConfig, false)...)
	}
	if r.PagerDuty != nil {
		set++
		if r.PagerDuty.RoutingKey == "" {
			errs = append(errs, fmt.Errorf("%s::pagerduty::routing_key: required (the integration key of the PagerDuty service)", field))
		}
		errs = append(errs, validateClient(field+"::pagerduty", &r.PagerDuty.ClientConfig, false)...)
	}
	if r.Alertmanager != nil {
		set++
		errs = append(errs, validateClient(field+"::alertmanager", &r.Alertmanager.ClientConfig, true)...)
	}
	if set != 1 {
		errs = append(errs, fmt.Errorf("%s: set exactly one of webhook, slack, pagerduty or alertmanager (got %d)", field, set))
	}
	return errs
}

func validateClient(field string, cc *confighttp.ClientConfig, needEndpoint bool) []error {
	var errs []error
	switch {
	case cc.Endpoint == "" && needEndpoint:
		errs = append(errs, fmt.Errorf("%s::endpoint: required", field))
	case cc.Endpoint != "":
		if err := checkURL(cc.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("%s::endpoint: %w", field, err))
		}
	}
	if err := cc.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", field, err))
	}
	return errs
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return nil
}

func (rt RouteConfig) validate(field string, receivers map[string]bool) []error {
	var errs []error
	if len(rt.Receivers) == 0 {
		errs = append(errs, fmt.Errorf("%s::receivers: name at least one receiver", field))
	}
	for _, n := range rt.Receivers {
		if !receivers[n] {
			errs = append(errs, fmt.Errorf("%s::receivers: %q is not defined in receivers", field, n))
		}
	}
	if rt.MinSeverity != nil && !rt.MinSeverity.IsValid() {
		errs = append(errs, fmt.Errorf("%s::min_severity: %s is not a severity (want info, warning, error or critical)", field, *rt.MinSeverity))
	}
	for _, s := range rt.Statuses {
		if !s.IsValid() {
			errs = append(errs, fmt.Errorf("%s::statuses: %s is not a status (want open, acknowledged or resolved)", field, s))
		}
	}
	for _, e := range rt.Events {
		if _, ok := parseEvent(e); !ok {
			errs = append(errs, fmt.Errorf("%s::events: unknown event %q (want opened, reopened, updated, acknowledged, resolved or narrated)", field, e))
		}
	}
	if rt.RepeatInterval < 0 {
		errs = append(errs, fmt.Errorf("%s::repeat_interval: must not be negative (0 never repeats), got %v", field, rt.RepeatInterval))
	}
	return errs
}
