//go:build integration

package integration

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
)

const incidentConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Health}}
  bearertokenauth/api:
    token: {{.Token}}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{.OTLP}}
exporters:
  incident:
    store:
      directory: {{.StoreDir}}
    api:
      endpoint: 127.0.0.1:{{.API}}
      auth:
        authenticator: bearertokenauth/api
    notifications:
      receivers:
        - name: hook
          webhook:
            endpoint: {{.Hook}}
            secret: {{.Secret}}
      routes:
        - receivers: [hook]
          events: [opened, updated, resolved]
    delivery:
      poll_interval: 50ms
      # Messages the killed collector had claimed come back when their lease ends.
      lease: 3s
      timeout: 1s
      retry:
        initial_interval: 50ms
        max_interval: 500ms
service:
  extensions: [health_check, bearertokenauth/api]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [incident]
`

const (
	crashIncidents = 12
	crashUpdates   = 6 // opened, four updates, resolved
	hookSecret     = "integration-secret"
	apiToken       = "integration-token"
)

// TestIncidentStoreSurvivesKill streams incident updates into the incident exporter,
// kills the collector with SIGKILL in the middle of the stream, restarts it on the same
// store and resends what was not acknowledged, as an OTLP client would. Every update the
// collector acknowledged before the kill is in the store after the restart, and every
// notification is delivered — at least once, and exactly once per idempotency key once
// the receiver deduplicates — with a valid signature, through a receiver that fails
// some requests.
func TestIncidentStoreSurvivesKill(t *testing.T) {
	hook := newHookReceiver(t)
	storeDir := t.TempDir()
	run := func() (*Collector, map[string]any) {
		values := map[string]any{
			"Health": freePort(t), "OTLP": freePort(t), "API": freePort(t),
			"StoreDir": storeDir, "Hook": hook.url, "Secret": hookSecret, "Token": apiToken,
		}
		c := startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", values["Health"]), nil,
			"--config", renderConfig(t, incidentConfig, values))
		return c, values
	}

	stream := incidentStream(t)
	first, values := run()
	acked := sendUntilKilled(t, first, values, stream, len(stream)/2)
	require.NotEmpty(t, acked, "some updates were acknowledged before the kill")

	second, values := run()
	api := apiClient{base: fmt.Sprintf("http://127.0.0.1:%d", values["API"])}
	resp, err := http.Get(api.base + "/api/v1/incidents")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the API refuses requests without the token")
	for id, seq := range acked {
		require.GreaterOrEqual(t, api.sourceSequence(t, id), seq, "incident %s: an acknowledged update was lost", id)
	}

	// Resend everything not acknowledged (an in-flight update may have been committed
	// without its acknowledgement: the store applies it once).
	conn, ctx := dialOTLP(t, values["OTLP"], insecure.NewCredentials())
	client := plogotlp.NewGRPCClient(conn)
	for _, u := range stream {
		if acked[u.Incident.ID] >= u.Incident.Sequence {
			continue
		}
		_, err := client.Export(ctx, plogotlp.NewExportRequestFromLogs(incidentRecord(t, u)))
		require.NoError(t, err)
	}

	want := map[string]bool{}
	for i := range crashIncidents {
		id := crashID(i)
		require.Equal(t, int64(crashUpdates), api.sourceSequence(t, id), "incident %s", id)
		for seq := 1; seq <= crashUpdates; seq++ {
			want[fmt.Sprintf("%s/%d/notify/hook", id, seq)] = true
		}
	}
	eventually(t, 90*time.Second, "every notification delivered", func() bool {
		return len(hook.keys()) >= len(want)
	})
	got := hook.keys()
	assert.Len(t, got, len(want), "one notification per change and idempotency key, no other")
	for k := range want {
		assert.Contains(t, got, k)
	}
	assert.Zero(t, hook.badSignatures(), "every request is signed with the webhook secret")
	t.Logf("%d notifications, %d requests (%d failed on purpose, %d duplicates after the kill)",
		len(got), hook.requests(), hook.failed(), hook.requests()-hook.failed()-len(got))
	second.Stop(t)
}

func crashID(i int) string { return fmt.Sprintf("inc-%016x", 0xc0ffee00+i) }

// incidentStream is crashIncidents incidents of crashUpdates records each, interleaved
// as a correlation processor would emit them.
func incidentStream(t *testing.T) []incident.Update {
	t.Helper()
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	var out []incident.Update
	for seq := 1; seq <= crashUpdates; seq++ {
		for i := range crashIncidents {
			at := t0.Add(time.Duration(seq) * time.Minute)
			inc := incident.Incident{
				ID: crashID(i), Sequence: int64(seq), Status: incident.StatusOpen, Severity: incident.SeverityError,
				Title: fmt.Sprintf("Checkout errors %d", i), OpenedAt: t0, UpdatedAt: at,
				FirstFindingAt: t0, LastFindingAt: at, TotalFindings: int64(seq),
				Services: []string{"checkout"}, Hosts: []string{fmt.Sprintf("node-%d", i)},
			}
			ev := incident.EventUpdated
			switch seq {
			case 1:
				ev = incident.EventOpened
			case crashUpdates:
				ev, inc.Status, inc.ResolvedAt = incident.EventResolved, incident.StatusResolved, at
			}
			out = append(out, incident.Update{Event: ev, Incident: inc})
		}
	}
	return out
}

func incidentRecord(t *testing.T, u incident.Update) plog.Logs {
	t.Helper()
	ld := plog.NewLogs()
	require.NoError(t, incidentlog.AppendIncident(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords(), u))
	return ld
}

// sendUntilKilled sends the stream one record per request and kills the collector with
// SIGKILL while the request after the first killAfter is in flight. It returns, per
// incident, the highest sequence the collector acknowledged.
func sendUntilKilled(t *testing.T, c *Collector, values map[string]any, stream []incident.Update, killAfter int) map[string]int64 {
	t.Helper()
	conn, ctx := dialOTLP(t, values["OTLP"], insecure.NewCredentials())
	client := plogotlp.NewGRPCClient(conn)
	acked := map[string]int64{}
	for i, u := range stream {
		if i == killAfter {
			go killGroup(c.cmd)
		}
		if _, err := client.Export(ctx, plogotlp.NewExportRequestFromLogs(incidentRecord(t, u))); err != nil {
			break
		}
		acked[u.Incident.ID] = u.Incident.Sequence
	}
	<-c.exited
	return acked
}

// hookReceiver is a webhook endpoint that verifies signatures, counts requests per
// idempotency key and fails every fifth request with a 500.
type hookReceiver struct {
	url string
	mu  sync.Mutex
	got map[string]int
	n   int
	bad int
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{got: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(r.Header.Get("X-Aiops-Timestamp") + "."))
	mac.Write(body)
	signed := hmac.Equal([]byte(r.Header.Get("X-Aiops-Signature")), []byte("v1="+hex.EncodeToString(mac.Sum(nil))))
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	if !signed {
		h.bad++
	}
	if h.n%5 == 0 {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h.got[r.Header.Get("Idempotency-Key")]++
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookReceiver) keys() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ks []string
	for k := range h.got {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (h *hookReceiver) requests() int      { h.mu.Lock(); defer h.mu.Unlock(); return h.n }
func (h *hookReceiver) failed() int        { h.mu.Lock(); defer h.mu.Unlock(); return h.n / 5 }
func (h *hookReceiver) badSignatures() int { h.mu.Lock(); defer h.mu.Unlock(); return h.bad }

// apiClient reads incidents from the incident exporter's API.
type apiClient struct{ base string }

func (a apiClient) sourceSequence(t *testing.T, id string) int64 {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.base+"/api/v1/incidents/"+id, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+apiToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return 0
	}
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var d struct {
		SourceSequence int64 `json:"source_sequence"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&d))
	return d.SourceSequence
}
