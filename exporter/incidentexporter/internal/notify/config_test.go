package notify

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub("notifications")
	require.NoError(t, err)
	cfg := NewDefaultConfig()
	require.NoError(t, sub.Unmarshal(&cfg, confmap.WithIgnoreUnused()))
	require.NoError(t, cfg.Validate())

	require.Len(t, cfg.Receivers, 4)
	wh := cfg.Receivers[0].Webhook
	require.NotNil(t, wh)
	assert.Equal(t, "https://hooks.example.com/aiops", wh.ClientConfig.Endpoint)
	assert.Equal(t, configopaque.String("webhook-secret"), wh.Secret, "fields beside the squashed client config are decoded")
	assert.Equal(t, 5*time.Second, wh.ClientConfig.Timeout)
	assert.Equal(t, configopaque.String("sre"), headerValue(wh.ClientConfig.Headers, "X-Team"))
	assert.Equal(t, configopaque.String("https://hooks.slack.com/services/T000/B000/XXXX"), cfg.Receivers[1].Slack.WebhookURL)
	assert.Equal(t, &PagerDutyConfig{RoutingKey: "0123456789abcdef0123456789abcdef", Source: "eu-1"}, cfg.Receivers[2].PagerDuty)
	assert.Equal(t, "http://oncall.example.com/alertmanager", cfg.Receivers[3].Alertmanager.ClientConfig.Endpoint)

	assert.Equal(t, []RouteConfig{
		{
			Receivers: []string{"oncall"}, MinSeverity: ptrTo(incident.SeverityError),
			Statuses:       []incident.Status{incident.StatusOpen, incident.StatusAcknowledged, incident.StatusResolved},
			RepeatInterval: 4 * time.Hour, Continue: true,
		},
		{Receivers: []string{"team-slack"}, Services: []string{"checkout", "payments"}, Events: []string{"opened", "reopened", "updated", "resolved"}},
		{Receivers: []string{"ops-webhook", "am-bridge"}, Events: []string{"opened", "reopened", "updated", "acknowledged", "resolved", "narrated"}},
	}, cfg.Routes)
}

// TestConfigMarshals: the collector marshals the effective configuration at
// start; a field that cannot be marshalled (an invalid zero value) stops it.
func TestConfigMarshals(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub("notifications")
	require.NoError(t, err)
	cfg := NewDefaultConfig()
	require.NoError(t, sub.Unmarshal(&cfg, confmap.WithIgnoreUnused()))
	for _, c := range []Config{NewDefaultConfig(), cfg} {
		require.NoError(t, confmap.New().Marshal(c))
	}
}

func headerValue(h configopaque.MapList, name string) configopaque.String {
	v, _ := h.Get(name)
	return v
}

func TestSecretsAreNotPrinted(t *testing.T) {
	cfg := oneReceiver("pagerduty", "")
	assert.NotContains(t, fmt.Sprintf("%+v %v", *cfg.Receivers[0].PagerDuty, cfg.Receivers[0].PagerDuty.RoutingKey), "R0UTINGKEY")
}

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		return Config{
			Receivers: []ReceiverConfig{
				receiverConfig("hook", "webhook", "https://example.com/hook"),
				receiverConfig("chat", "slack", "https://hooks.slack.com/services/X"),
			},
			Routes: []RouteConfig{{Receivers: []string{"hook", "chat"}}},
		}
	}
	require.NoError(t, valid().Validate())
	require.NoError(t, NewDefaultConfig().Validate(), "the zero config notifies nobody")

	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"bad name", func(c *Config) { c.Receivers[0].Name = "a/b"; c.Routes[0].Receivers[0] = "a/b" }, `receivers[0]::name: "a/b" must be letters`},
		{"duplicate name", func(c *Config) { c.Receivers[1].Name = "hook" }, `receivers[1]::name: "hook" is used by another receiver`},
		{"no channel", func(c *Config) { c.Receivers[0].Webhook = nil }, "receivers[0] (hook): set exactly one of webhook, slack, pagerduty or alertmanager (got 0)"},
		{"two channels", func(c *Config) { c.Receivers[0].Slack = c.Receivers[1].Slack }, "(got 2)"},
		{"webhook endpoint", func(c *Config) { c.Receivers[0].Webhook.ClientConfig.Endpoint = "" }, "receivers[0] (hook)::webhook::endpoint: required"},
		{"webhook endpoint url", func(c *Config) { c.Receivers[0].Webhook.ClientConfig.Endpoint = "ftp://x" }, `"ftp://x" is not an absolute http(s) URL`},
		{"slack endpoint", func(c *Config) { c.Receivers[1].Slack.ClientConfig.Endpoint = "https://x" }, "slack::endpoint: must be empty; put the incoming webhook URL in webhook_url"},
		{"slack url", func(c *Config) { c.Receivers[1].Slack.WebhookURL = "" }, "slack::webhook_url: required"},
		{"slack bad url", func(c *Config) { c.Receivers[1].Slack.WebhookURL = "hooks.slack.com/SECRET" }, "slack::webhook_url: not an absolute http(s) URL"},
		{"pagerduty key", func(c *Config) {
			c.Receivers[0] = ReceiverConfig{Name: "hook", PagerDuty: &PagerDutyConfig{}}
		}, "pagerduty::routing_key: required"},
		{"alertmanager endpoint", func(c *Config) {
			c.Receivers[0] = ReceiverConfig{Name: "hook", Alertmanager: &AlertmanagerConfig{ClientConfig: confighttp.NewDefaultClientConfig()}}
		}, "alertmanager::endpoint: required"},
		{"route without receivers", func(c *Config) { c.Routes = append(c.Routes, RouteConfig{}) }, "routes[1]::receivers: name at least one receiver"},
		{"route unknown receiver", func(c *Config) { c.Routes[0].Receivers = append(c.Routes[0].Receivers, "nope") }, `routes[0]::receivers: "nope" is not defined in receivers`},
		{"unused receiver", func(c *Config) { c.Routes[0].Receivers = []string{"hook"} }, `receivers: "chat" is not used by any route`},
		{"severity", func(c *Config) { c.Routes[0].MinSeverity = ptrTo(incident.Severity(9)) }, "routes[0]::min_severity: Severity(9) is not a severity"},
		{"status", func(c *Config) { c.Routes[0].Statuses = []incident.Status{7} }, "routes[0]::statuses: Status(7) is not a status"},
		{"event", func(c *Config) { c.Routes[0].Events = []string{"firing"} }, `routes[0]::events: unknown event "firing"`},
		{"repeat", func(c *Config) { c.Routes[0].RepeatInterval = -time.Second }, "routes[0]::repeat_interval: must not be negative"},
		{"incident url placeholder", func(c *Config) { c.IncidentURL = "https://x/incidents" }, "incident_url: \"https://x/incidents\" has no {id} placeholder"},
		{"incident url", func(c *Config) { c.IncidentURL = "x/{id}" }, "incident_url: \"x/x\" is not an absolute http(s) URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid()
			tc.mutate(&cfg)
			err := cfg.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.NotContains(t, err.Error(), "SECRET", "secrets stay out of errors")
		})
	}
}
