//go:build integration

package integration

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

// TestAgentToGateway runs configs/agent.yaml and configs/gateway.yaml as two processes on
// loopback: the agent's host metrics reach the backend through the gateway over TLS with the
// bearer token, a client without the token is refused, and an Alertmanager webhook posted to the
// gateway arrives at the backend as a log record.
func TestAgentToGateway(t *testing.T) {
	backend := startSink(t)
	const token = "integration-token"
	cert, key := selfSignedCert(t)
	gwOTLP, gwHealth, gwWebhook := freePort(t), freePort(t), freePort(t)
	startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", gwHealth), []string{
		"AIOPS_GATEWAY_TOKEN=" + token,
		"AIOPS_TLS_CERT_FILE=" + cert,
		"AIOPS_TLS_KEY_FILE=" + key,
		fmt.Sprintf("AIOPS_GATEWAY_LISTEN=127.0.0.1:%d", gwOTLP),
		fmt.Sprintf("AIOPS_HEALTH_ENDPOINT=127.0.0.1:%d", gwHealth),
		fmt.Sprintf("AIOPS_ALERTMANAGER_ENDPOINT=127.0.0.1:%d", gwWebhook),
		"AIOPS_BACKEND_ENDPOINT=" + backend.addr,
		"AIOPS_DATA_DIR=" + t.TempDir(),
		fmt.Sprintf("AIOPS_TELEMETRY_PORT=%d", freePort(t)),
	}, "--config", filepath.Join(repoRoot(t), "configs", "gateway.yaml"))

	agentHealth := freePort(t)
	startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", agentHealth), []string{
		"AIOPS_GATEWAY_TOKEN=" + token,
		"AIOPS_GATEWAY_CA_FILE=" + cert,
		fmt.Sprintf("AIOPS_GATEWAY_ENDPOINT=127.0.0.1:%d", gwOTLP),
		fmt.Sprintf("AIOPS_HEALTH_ENDPOINT=127.0.0.1:%d", agentHealth),
		fmt.Sprintf("AIOPS_OTLP_GRPC_ENDPOINT=127.0.0.1:%d", freePort(t)),
		fmt.Sprintf("AIOPS_OTLP_HTTP_ENDPOINT=127.0.0.1:%d", freePort(t)),
		"AIOPS_DATA_DIR=" + t.TempDir(),
		"AIOPS_SCRAPE_INTERVAL=1s",
		fmt.Sprintf("AIOPS_TELEMETRY_PORT=%d", freePort(t)),
		// The test checks the agent→gateway path; eBPF may be unavailable to a non-root developer.
		"AIOPS_EBPF_ON_UNAVAILABLE=warn",
	}, "--config", filepath.Join(repoRoot(t), "configs", "agent.yaml"))

	eventually(t, 60*time.Second, "the agent's host metrics at the backend", func() bool {
		return hasMetric(backend.receivedMetrics(), "system.cpu.time", "host.name")
	})

	pool := x509.NewCertPool()
	pem, err := os.ReadFile(cert)
	require.NoError(t, err)
	require.True(t, pool.AppendCertsFromPEM(pem))
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	conn, ctx := dialOTLP(t, gwOTLP, creds)
	_, err = pmetricotlp.NewGRPCClient(conn).Export(ctx, pmetricotlp.NewExportRequestFromMetrics(sampleMetrics()))
	require.Equal(t, codes.Unauthenticated, status.Code(err), "a client without the bearer token must be refused, got %v", err)

	alert := `{"version":"4","status":"firing","receiver":"aiops","alerts":[{"status":"firing","labels":{"alertname":"HighLatency","service":"checkout"}}]}`
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/events", gwWebhook), "application/json", strings.NewReader(alert))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	eventually(t, 30*time.Second, "the Alertmanager webhook at the backend as a log record", func() bool {
		logs := backend.receivedLogs()
		for _, rl := range logs.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					if strings.Contains(lr.Body().AsString(), "HighLatency") {
						return true
					}
				}
			}
		}
		return false
	})
}

// hasMetric reports whether md holds a metric named name on a resource carrying resAttr.
func hasMetric(md pmetric.Metrics, name, resAttr string) bool {
	for _, rm := range md.ResourceMetrics().All() {
		if _, ok := rm.Resource().Attributes().Get(resAttr); !ok {
			continue
		}
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == name {
					return true
				}
			}
		}
	}
	return false
}
