package incidentexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter"

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/api"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/notify"
)

// Config is the incident exporter's configuration.
type Config struct {
	// Store selects and tunes the incident store.
	Store StoreConfig `mapstructure:"store"`
	// API serves incidents and human actions over HTTP; disabled unless an
	// endpoint is set.
	API api.Config `mapstructure:"api"`
	// Notifications routes incident changes to people.
	Notifications notify.Config `mapstructure:"notifications"`
	// Forward sends every state change as an incident log record to OTLP
	// backends, through the stock otlp_grpc / otlp_http exporters.
	Forward ForwardConfig `mapstructure:"forward"`
	// Delivery tunes the outbox worker that sends notifications, forwarded
	// records and narrator requests.
	Delivery delivery.Config `mapstructure:"delivery"`
	// Narrator names the extension (for example llm_narrator) that writes
	// narratives. Unset: incidents carry no narrative.
	Narrator *component.ID `mapstructure:"narrator"`

	// TimeoutConfig bounds one ConsumeLogs call (one store transaction).
	TimeoutConfig exporterhelper.TimeoutConfig `mapstructure:",squash"`
	// RetryConfig retries ConsumeLogs when the store is unavailable (a
	// PostgreSQL restart); the pipeline waits rather than losing a change.
	RetryConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// StoreConfig selects the database.
type StoreConfig struct {
	// Driver is sqlite (default: one file, nothing to install) or postgres
	// (several collectors sharing one store).
	Driver string `mapstructure:"driver"`
	// Directory holds the SQLite file, named after the exporter's ID. It is
	// created on start.
	Directory string `mapstructure:"directory"`
	// DSN is the PostgreSQL connection string
	// (postgres://user:password@host:5432/db?sslmode=verify-full).
	DSN configopaque.String `mapstructure:"dsn"`
	// MaxConns caps PostgreSQL connections.
	MaxConns int `mapstructure:"max_conns"`
	// Schema is the PostgreSQL schema of the store's tables, created if
	// missing; empty uses the connection's search_path (normally public).
	// Several stores can share one database in different schemas.
	Schema string `mapstructure:"schema"`
	// Retention deletes resolved incidents (and delivered outbox messages,
	// ended silences) older than this; 0 keeps them forever.
	Retention time.Duration `mapstructure:"retention"`
	// TimelineCap is the number of timeline entries kept per incident.
	TimelineCap int `mapstructure:"timeline_cap"`
}

// Store drivers.
const (
	driverSQLite   = "sqlite"
	driverPostgres = "postgres"
)

// ForwardConfig configures the OTLP destinations. Each takes every option of
// the stock exporter of the same name, otlp_grpc or otlp_http (endpoint, tls,
// headers, auth, compression, sending_queue, retry_on_failure…).
type ForwardConfig struct {
	OTLPGRPC configoptional.Optional[otlpexporter.Config]     `mapstructure:"otlp_grpc"`
	OTLPHTTP configoptional.Optional[otlphttpexporter.Config] `mapstructure:"otlp_http"`
}

var _ component.Config = (*Config)(nil)

// validSchema keeps store.schema a plain identifier, so it never needs quoting
// in a DSN, a psql session or a grant.
var validSchema = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Validate checks what can be checked without I/O; the directory and the
// database are checked in Start.
func (c *Config) Validate() error {
	var errs []error
	switch c.Store.Driver {
	case driverSQLite:
		if c.Store.Directory == "" {
			errs = append(errs, errors.New("store.directory: must be set for the sqlite driver (a writable directory, e.g. /var/lib/otelcol/incidents)"))
		}
		if c.Store.DSN != "" {
			errs = append(errs, errors.New("store.dsn: only used by the postgres driver; remove it or set store.driver: postgres"))
		}
	case driverPostgres:
		if c.Store.DSN == "" {
			errs = append(errs, errors.New("store.dsn: must be set for the postgres driver (postgres://user:password@host:5432/db?sslmode=verify-full, e.g. from ${env:AIOPS_POSTGRES_DSN})"))
		}
		if c.Store.Schema != "" && !validSchema.MatchString(c.Store.Schema) {
			errs = append(errs, fmt.Errorf("store.schema: %q is not a plain PostgreSQL identifier; use lower-case letters, digits and _ (at most 63)", c.Store.Schema))
		}
		if c.Store.MaxConns < 1 {
			errs = append(errs, fmt.Errorf("store.max_conns: must be at least 1, got %d", c.Store.MaxConns))
		}
	default:
		errs = append(errs, fmt.Errorf("store.driver: unknown driver %q; use sqlite or postgres", c.Store.Driver))
	}
	if c.Store.Retention < 0 {
		errs = append(errs, fmt.Errorf("store.retention: must not be negative (0 keeps incidents forever), got %v", c.Store.Retention))
	}
	if c.Store.TimelineCap < 1 {
		errs = append(errs, fmt.Errorf("store.timeline_cap: must be at least 1, got %d", c.Store.TimelineCap))
	}
	if c.Narrator != nil && c.Narrator.Type().String() == "" {
		errs = append(errs, errors.New("narrator: must name an extension such as llm_narrator, or be removed"))
	}
	return errors.Join(errs...)
}
