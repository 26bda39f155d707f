package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/basicauthextension"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/bearertokenauthextension"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configauth"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
)

// extHost is a host that returns the given extensions, as the collector's
// does for the extensions listed under service::extensions.
type extHost struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h extHost) GetExtensions() map[component.ID]component.Component { return h.exts }

// startExtension builds an auth extension from its factory and starts it.
func startExtension(t *testing.T, f extension.Factory, cfg component.Config) component.Component {
	t.Helper()
	ctx := context.Background()
	ext, err := f.Create(ctx, extensiontest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ext.Shutdown(context.Background()) })
	return ext
}

const testToken = "s3cret-token"

func bearerExtension(t *testing.T) (component.ID, component.Component) {
	f := bearertokenauthextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*bearertokenauthextension.Config)
	cfg.BearerToken = testToken
	return component.NewID(f.Type()), startExtension(t, f, cfg)
}

func basicExtension(t *testing.T) (component.ID, component.Component) {
	f := basicauthextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*basicauthextension.Config)
	cfg.Htpasswd = &basicauthextension.HtpasswdSettings{Inline: "alice:wonderland"}
	return component.NewID(f.Type()), startExtension(t, f, cfg)
}

// serverConfig serves on a free loopback port with the authenticator id.
func serverConfig(id component.ID) Config {
	cfg := NewDefaultConfig()
	cfg.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Auth = configoptional.Some(confighttp.AuthConfig{Config: configauth.Config{AuthenticatorID: id}})
	return cfg
}

// startServer starts the API over a fresh store holding incident 1.
func startServer(t *testing.T, cfg Config, exts map[component.ID]component.Component) (*Server, store.Store) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Options{})
	e.apply(t, varied(1))
	s := NewServer(cfg, e.st, Options{}, extHost{Host: componenttest.NewNopHost(), exts: exts}, componenttest.NewNopTelemetrySettings())
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return s, e.st
}

// call sends a request with an optional Authorization header and returns
// the status and body.
func call(t *testing.T, c *http.Client, method, url, authorization string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// plainClient keeps no idle connection, so no goroutine outlives a test.
func plainClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
}

func TestServerBearerAuth(t *testing.T) {
	id, ext := bearerExtension(t)
	s, _ := startServer(t, serverConfig(id), map[component.ID]component.Component{id: ext})
	url := "http://" + s.Addr().String() + "/api/v1/incidents"
	c := plainClient()
	tests := []struct {
		name, authorization string
		status              int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer not-the-token", http.StatusUnauthorized},
		{"wrong scheme", "Basic " + testToken, http.StatusUnauthorized},
		{"right token", "Bearer " + testToken, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, c, http.MethodGet, url, tc.authorization)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if !strings.HasPrefix(body, "{") {
				t.Errorf("body is not JSON: %q", body)
			}
			if strings.Contains(body, testToken) {
				t.Errorf("body echoes the token: %s", body)
			}
		})
	}
	// Unauthenticated requests never reach the routes: not even a 404.
	if status, _ := call(t, c, http.MethodGet, "http://"+s.Addr().String()+"/nope", ""); status != http.StatusUnauthorized {
		t.Errorf("unknown path without a token: %d, want 401", status)
	}
}

// TestServerAuthRequestParams takes the token from the query
// (auth::request_params): the parameter is the authenticator's, not a typo.
func TestServerAuthRequestParams(t *testing.T) {
	id, ext := bearerExtension(t)
	cfg := serverConfig(id)
	cfg.Auth.Get().RequestParameters = []string{"Authorization"}
	s, _ := startServer(t, cfg, map[component.ID]component.Component{id: ext})
	url := "http://" + s.Addr().String() + "/api/v1/incidents?status=open&Authorization=Bearer+" + testToken
	if status, body := call(t, plainClient(), http.MethodGet, url, ""); status != http.StatusOK {
		t.Fatalf("token in the query: %d %s", status, body)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[net.Addr]bool{
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}: true,
		&net.TCPAddr{IP: net.IPv6loopback}:       true,
		&net.TCPAddr{IP: net.IPv4zero}:           false,
		&net.TCPAddr{IP: net.IPv4(10, 0, 0, 7)}:  false,
		&net.UnixAddr{Name: "/run/api.sock"}:     true,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%v) = %v, want %v", addr, got, want)
		}
	}
}

func TestServerBasicAuthActor(t *testing.T) {
	id, ext := basicExtension(t)
	s, st := startServer(t, serverConfig(id), map[component.ID]component.Component{id: ext})
	url := "http://" + s.Addr().String() + "/api/v1/incidents/" + storetest.ID(1) + "/acknowledge"
	c := plainClient()
	req := func(user, pass string) int {
		r, err := http.NewRequest(http.MethodPost, url, http.NoBody)
		if err != nil {
			t.Fatal(err)
		}
		r.SetBasicAuth(user, pass)
		res, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		return res.StatusCode
	}
	if status := req("alice", "guess"); status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d, want 401", status)
	}
	if status := req("alice", "wonderland"); status != http.StatusOK {
		t.Fatalf("right password: %d, want 200", status)
	}
	d, err := st.Get(context.Background(), storetest.ID(1))
	if err != nil {
		t.Fatal(err)
	}
	if last := d.Timeline[len(d.Timeline)-1]; last.Kind != store.TimelineAcknowledged || last.Actor != "alice" {
		t.Errorf("timeline %+v, want acknowledged by alice (the basicauth user)", last)
	}
}

func TestServerTLS(t *testing.T) {
	id, ext := bearerExtension(t)
	cfg := serverConfig(id)
	certFile, keyFile, pool := selfSignedCert(t)
	cfg.TLS = configoptional.Some(configtls.ServerConfig{Config: configtls.Config{CertFile: certFile, KeyFile: keyFile}})
	s, _ := startServer(t, cfg, map[component.ID]component.Component{id: ext})

	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
	if status, body := call(t, c, http.MethodGet, "https://"+s.Addr().String()+"/api/v1/incidents", "Bearer "+testToken); status != http.StatusOK {
		t.Fatalf("over TLS: %d %s", status, body)
	}
	// Plain HTTP to the TLS port gets Go's TLS server's 400, never the API.
	if status, body := call(t, plainClient(), http.MethodGet, "http://"+s.Addr().String()+"/api/v1/incidents", "Bearer "+testToken); status != http.StatusBadRequest || strings.Contains(body, "incidents") {
		t.Errorf("plain HTTP to the TLS server: %d %q", status, body)
	}
}

func TestServerLifecycle(t *testing.T) {
	ctx := context.Background()
	host := componenttest.NewNopHost()
	set := componenttest.NewNopTelemetrySettings()

	t.Run("disabled", func(t *testing.T) {
		s := NewServer(NewDefaultConfig(), nil, Options{}, host, set)
		if err := s.Start(ctx); err != nil || s.Addr() != nil {
			t.Fatalf("disabled API: Start %v, Addr %v", err, s.Addr())
		}
		if err := s.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("shutdown without start, twice", func(t *testing.T) {
		s := NewServer(serverConfig(component.MustNewID("bearertokenauth")), nil, Options{}, host, set)
		if err := s.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("authenticator not found", func(t *testing.T) {
		s := NewServer(serverConfig(component.MustNewID("bearertokenauth")), nil, Options{}, host, set)
		err := s.Start(ctx)
		if err == nil || !strings.Contains(err.Error(), "bearertokenauth") {
			t.Fatalf("Start: %v, want an error naming the missing authenticator", err)
		}
		if err := s.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		id, ext := bearerExtension(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		cfg := serverConfig(id)
		cfg.NetAddr.Endpoint = ln.Addr().String()
		s := NewServer(cfg, nil, Options{}, extHost{Host: host, exts: map[component.ID]component.Component{id: ext}}, set)
		if err := s.Start(ctx); err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
			t.Fatalf("Start: %v, want an error naming the endpoint", err)
		}
	})
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool trusting the certificate.
func selfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "incident API test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
