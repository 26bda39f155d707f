package incidentexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg, confmap.WithIgnoreUnused()))
	// The collector marshals the effective configuration at start.
	require.NoError(t, confmap.New().Marshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfig(t *testing.T) {
	def, err := loadConfig(t, "")
	require.NoError(t, err, "the defaults are valid")
	assert.Equal(t, createDefaultConfig(), def)
	assert.False(t, def.API.Enabled(), "the API is off unless an endpoint is set")
	assert.False(t, def.Forward.OTLPGRPC.HasValue(), "nothing is forwarded unless configured")

	full, err := loadConfig(t, "full")
	require.NoError(t, err)
	assert.Equal(t, driverPostgres, full.Store.Driver)
	assert.Equal(t, 720*time.Hour, full.Store.Retention)
	assert.Equal(t, 200, full.Store.TimelineCap)
	assert.Equal(t, "aiops", full.Store.Schema)
	assert.True(t, full.API.Enabled())
	require.Len(t, full.Notifications.Receivers, 2)
	require.True(t, full.Forward.OTLPGRPC.HasValue())
	fwd := full.Forward.OTLPGRPC.Get()
	assert.Equal(t, "backend.example.com:4317", fwd.ClientConfig.Endpoint)
	assert.False(t, fwd.QueueConfig.HasValue(), "the outbox is the queue unless sending_queue is set")
	assert.False(t, full.Forward.OTLPHTTP.HasValue())
	assert.Equal(t, 2, full.Delivery.Concurrency)
	require.NotNil(t, full.Narrator)
	assert.Equal(t, "llm_narrator", full.Narrator.String())
}

func TestConfigErrorsNameTheFieldAndTheFix(t *testing.T) {
	for name, want := range map[string]string{
		"bad_driver":             `store.driver: unknown driver "mysql"; use sqlite or postgres`,
		"postgres_without_dsn":   "store.dsn: must be set for the postgres driver",
		"api_without_auth":       "needs an authenticator such as bearertokenauth or basicauth",
		"unknown_route_receiver": "nobody",
		"negative_retention":     "store.retention: must not be negative",
		"bad_schema":             "store.schema: ",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, name)
			require.ErrorContains(t, err, want)
		})
	}
}

func TestSQLiteFileName(t *testing.T) {
	assert.Equal(t, "incident.db", sqliteFileName(component.NewID(metadata.Type)))
	assert.Equal(t, "incident_team-a.db", sqliteFileName(component.NewIDWithName(metadata.Type, "team-a")))
	assert.Equal(t, "incident_.._x.db", sqliteFileName(component.NewIDWithName(metadata.Type, "../x")))
}
