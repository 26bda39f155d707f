package api

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// Config configures the incident API: a confighttp server (endpoint, tls,
// auth, cors, timeouts…) plus the API's own limits. An empty endpoint
// disables the API, which is the default.
type Config struct {
	confighttp.ServerConfig `mapstructure:",squash"`

	// MaxPageSize bounds the limit parameter of the list route (default and
	// maximum 1000, the store's page bound).
	MaxPageSize int `mapstructure:"max_page_size"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// defaultMaxBodyBytes bounds request bodies: the API takes small JSON objects
// (a comment, a silence), never bulk data.
const defaultMaxBodyBytes = 64 << 10

// NewDefaultConfig returns the API disabled (no endpoint), with confighttp's
// server defaults, 64 KiB request bodies and pages of at most 1000.
func NewDefaultConfig() Config {
	sc := confighttp.NewDefaultServerConfig()
	sc.MaxRequestBodySize = defaultMaxBodyBytes
	return Config{ServerConfig: sc, MaxPageSize: store.MaxPageSize}
}

// Enabled reports whether the API is served (an endpoint is set).
func (c *Config) Enabled() bool { return c.NetAddr.Endpoint != "" }

var _ confmap.Unmarshaler = (*Config)(nil)

// Unmarshal decodes the section and rejects unknown keys. It is needed
// because the embedded ServerConfig's Unmarshal would otherwise be promoted
// to Config: the collector would call it alone, decoding the server settings
// and silently dropping max_page_size. confmap calls this with its top-level
// hook disabled, so conf.Unmarshal(c) runs ServerConfig's Unmarshal on the
// squashed part and decodes the rest; that path ignores unknown keys, hence
// the check.
func (c *Config) Unmarshal(conf *confmap.Conf) error {
	if err := conf.Unmarshal(c); err != nil {
		return err
	}
	known := squashedKeys(reflect.TypeFor[Config]())
	var unknown []string
	for key := range conf.ToStringMap() {
		if !slices.Contains(known, key) {
			unknown = append(unknown, key)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("unknown keys %s; the api section takes %s", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return nil
}

// squashedKeys lists the mapstructure keys of a struct, following squashed
// fields (as mapstructure does).
func squashedKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		switch {
		case slices.Contains(strings.Split(opts, ","), "squash"):
			keys = append(keys, squashedKeys(f.Type)...)
		case name != "" && name != "-":
			keys = append(keys, name)
		}
	}
	return keys
}

// Validate checks the API's own settings. It does no I/O; the collector
// prefixes each message with the path of the section (api).
func (c *Config) Validate() error {
	var errs []error
	if c.MaxPageSize < 1 || c.MaxPageSize > store.MaxPageSize {
		errs = append(errs, fmt.Errorf("max_page_size: %d is out of range; use 1 to %d", c.MaxPageSize, store.MaxPageSize))
	}
	if !c.Enabled() {
		return errors.Join(errs...)
	}
	if a := c.Auth.Get(); a == nil || a.Config.AuthenticatorID == (component.ID{}) {
		errs = append(errs, errors.New("auth: the incident API needs an authenticator such as bearertokenauth or basicauth; "+
			"set api::auth::authenticator to the extension's ID and list the extension under service::extensions "+
			"(see the API section of the incident exporter's README)"))
	}
	if c.MaxRequestBodySize < 0 {
		errs = append(errs, fmt.Errorf("max_request_body_size: %d is negative; use a size in bytes (default %d)", c.MaxRequestBodySize, defaultMaxBodyBytes))
	}
	return errors.Join(errs...)
}
