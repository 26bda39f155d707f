// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

// tlsSim starts a simulator over HTTPS with httptest's self-signed certificate.
func tlsSim(t *testing.T) (*httptest.Server, *simulator.Server) {
	s := simulator.New(simulator.NewTree(simulator.DefaultSpec()))
	ts := httptest.NewUnstartedServer(s)
	t.Cleanup(func() { s.Close(); ts.Close() })
	return ts, s
}

func writePEM(t *testing.T, name, typ string, der []byte) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
	return p
}

func TestSelfSignedTLS(t *testing.T) {
	ts, _ := tlsSim(t)
	ts.StartTLS()

	f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
	_, err := f.scrapeMetrics(context.Background())
	require.Error(t, err, "self-signed certificate rejected by default")
	assert.Contains(t, err.Error(), "certificate")

	core, logs := observer.New(zapcore.WarnLevel)
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.TLS.InsecureSkipVerify = true
	f = newFleet(set, cfg)
	require.NoError(t, f.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { _ = f.shutdown(context.Background()) })
	md, err := f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, points(md, "hw.temperature"))
	warn := logs.FilterMessageSnippet("insecure_skip_verify").All()
	require.Len(t, warn, 1, "one warning per BMC with verification off")
	assert.Equal(t, "r1", warn[0].ContextMap()["bmc"])
}

// ca_file trusts the BMC's certificate; cert_file/key_file authenticate the
// receiver to a BMC that requires client certificates.
func TestTLSCAAndClientCertificate(t *testing.T) {
	ts, _ := tlsSim(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "otelcol"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	clientCert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(clientCert)
	ts.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	ts.StartTLS()
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)

	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.TLS.CAFile = writePEM(t, "ca.pem", "CERTIFICATE", ts.Certificate().Raw)
	f := startFleet(t, cfg)
	_, err = f.scrapeMetrics(context.Background())
	require.Error(t, err, "the BMC requires a client certificate")

	cfg = testConfig(bmcCfg("r1", ts.URL))
	cfg.TLS.CAFile = writePEM(t, "ca.pem", "CERTIFICATE", ts.Certificate().Raw)
	cfg.TLS.CertFile = writePEM(t, "client.pem", "CERTIFICATE", der)
	cfg.TLS.KeyFile = writePEM(t, "client.key", "EC PRIVATE KEY", keyDER)
	f = startFleet(t, cfg)
	md, err := f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, points(md, "hw.temperature"))
}

// A BMC's own tls block replaces the receiver's for that BMC only.
func TestPerBMCTLSOverride(t *testing.T) {
	ts, _ := tlsSim(t)
	ts.StartTLS()
	lab := bmcCfg("lab", ts.URL)
	lab.TLS = &configtls.ClientConfig{InsecureSkipVerify: true}
	f := startFleet(t, testConfig(lab, bmcCfg("strict", ts.URL)))
	md, err := f.scrapeMetrics(context.Background())
	require.ErrorContains(t, err, `bmc "strict"`)
	assert.NotContains(t, err.Error(), `bmc "lab"`)
	require.Equal(t, 1, md.ResourceMetrics().Len())
	name, _ := md.ResourceMetrics().At(0).Resource().Attributes().Get("redfish.bmc.name")
	assert.Equal(t, "lab", name.Str())
}
