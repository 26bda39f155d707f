package api

import (
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

func loadConfig(t *testing.T, section string) (Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cm.Sub(section)
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewDefaultConfig()
	return cfg, sub.Unmarshal(&cfg)
}

func TestLoadConfig(t *testing.T) {
	cfg, err := loadConfig(t, "api")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if !cfg.Enabled() || cfg.NetAddr.Endpoint != "0.0.0.0:9480" || cfg.MaxPageSize != 200 {
		t.Errorf("config %+v", cfg)
	}
	if a := cfg.Auth.Get(); a == nil || a.Config.AuthenticatorID != component.MustNewIDWithName("bearertokenauth", "api") {
		t.Errorf("auth %+v", cfg.Auth)
	}
	if tls := cfg.TLS.Get(); tls == nil || tls.CertFile != "/etc/otelcol/tls/api.crt" {
		t.Errorf("tls %+v", cfg.TLS)
	}
	if cfg.MaxRequestBodySize != defaultMaxBodyBytes || cfg.WriteTimeout == 0 {
		t.Errorf("defaults lost: body %d write timeout %v", cfg.MaxRequestBodySize, cfg.WriteTimeout)
	}
}

// TestLoadConfigNested decodes the section as the exporter holds it, a field
// of its own config.
func TestLoadConfigNested(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var parent struct {
		API  Config         `mapstructure:"api"`
		Typo map[string]any `mapstructure:"typo"`
	}
	parent.API = NewDefaultConfig()
	if err := cm.Unmarshal(&parent); err != nil {
		t.Fatal(err)
	}
	if parent.API.MaxPageSize != 200 || parent.API.NetAddr.Endpoint != "0.0.0.0:9480" || !parent.API.Auth.HasValue() {
		t.Errorf("nested api section decoded as %+v", parent.API)
	}
}

func TestLoadConfigRejectsTypos(t *testing.T) {
	if _, err := loadConfig(t, "typo"); err == nil || !strings.Contains(err.Error(), "max_pagesize") {
		t.Fatalf("got %v, want an error naming max_pagesize", err)
	}
}

func TestDefaultConfigIsDisabled(t *testing.T) {
	cfg := NewDefaultConfig()
	if cfg.Enabled() {
		t.Error("the API is on by default")
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string
	}{
		{"endpoint without auth", func(c *Config) { c.NetAddr.Endpoint = "localhost:9480" },
			[]string{"auth: the incident API needs an authenticator such as bearertokenauth or basicauth", "api::auth::authenticator"}},
		{"page size zero", func(c *Config) { c.MaxPageSize = 0 }, []string{"max_page_size: 0 is out of range; use 1 to 1000"}},
		{"page size above the store's", func(c *Config) { c.MaxPageSize = 5000 }, []string{"max_page_size: 5000"}},
		{"negative body size", func(c *Config) {
			*c = serverConfig(component.MustNewID("basicauth"))
			c.MaxRequestBodySize = -1
		}, []string{"max_request_body_size: -1 is negative"}},
		{"every problem at once", func(c *Config) {
			c.NetAddr.Endpoint = "localhost:9480"
			c.MaxPageSize = -1
		}, []string{"auth:", "max_page_size:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := NewDefaultConfig()
			tc.mutate(&cfg)
			err := cfg.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
