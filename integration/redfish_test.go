//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

const redfishConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Health}}
receivers:
  redfish:
    collection_interval: 1s
    initial_delay: 0s
    bmcs:
      - name: r0
        endpoint: http://{{.Sim}}/bmc/0
        username: admin
        password: secret
      - name: r1
        endpoint: http://{{.Sim}}/bmc/1
        username: admin
        password: secret
exporters:
  file:
    path: {{.MetricsFile}}
    flush_interval: 100ms
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [redfish]
      exporters: [file]
`

// TestRedfishFleet scrapes two simulated BMCs through the built binary: each becomes a
// resource with its host.name and hw.* readings, and after the collector stops no
// Redfish session is left open on either BMC.
func TestRedfishFleet(t *testing.T) {
	sim := startRedfishSimulator(t, 2)
	values := map[string]any{
		"Health":      freePort(t),
		"Sim":         sim,
		"MetricsFile": filepath.Join(t.TempDir(), "metrics.jsonl"),
	}
	col := startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", values["Health"]), nil,
		"--config", renderConfig(t, redfishConfig, values))

	eventually(t, 30*time.Second, "hw.temperature and hw.status from both BMCs", func() bool {
		md := readMetricsFile(t, values["MetricsFile"].(string))
		hosts := hostsWith(md, "hw.temperature")
		return hosts["node-00"] && hosts["node-01"] && len(hostsWith(md, "hw.status")) == 2
	})
	require.Positive(t, openSessions(t, sim, 0), "the receiver scrapes with a Redfish session")

	col.Stop(t)
	for bmc := range 2 {
		require.Zero(t, openSessions(t, sim, bmc), "bmc %d: sessions left open after shutdown", bmc)
	}
}

// startRedfishSimulator builds and runs the repository's Redfish simulator with n BMCs on
// a free loopback port and returns its address.
func startRedfishSimulator(t *testing.T, n int) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "redfishsim")
	build := exec.Command("go", "build", "-o", bin, "./receiver/redfishreceiver/internal/simulator/cmd/redfishsim")
	build.Dir = repoRoot(t)
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building redfishsim: %s", out)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.Command(bin, "-listen", addr, "-n", fmt.Sprint(n))
	cmd.SysProcAttr = procAttr()
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { killGroup(cmd); _ = cmd.Wait() })
	eventually(t, 10*time.Second, "the Redfish simulator to answer", func() bool {
		resp, err := http.Get("http://" + addr + "/bmc/0/redfish/v1/")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return addr
}

// openSessions asks BMC i of the simulator how many sessions it holds, as an operator
// would: GET the SessionService's Sessions collection with Basic auth.
func openSessions(t *testing.T, sim string, i int) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/bmc/%d/redfish/v1/SessionService/Sessions", sim, i), http.NoBody)
	require.NoError(t, err)
	req.SetBasicAuth("admin", "secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var coll struct {
		Members []json.RawMessage `json:"Members"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&coll))
	return len(coll.Members)
}

// hostsWith returns the host.name of every resource that carries metric name.
func hostsWith(md pmetric.Metrics, name string) map[string]bool {
	hosts := map[string]bool{}
	for _, rm := range md.ResourceMetrics().All() {
		host, ok := rm.Resource().Attributes().Get("host.name")
		if !ok {
			continue
		}
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == name {
					hosts[host.Str()] = true
				}
			}
		}
	}
	return hosts
}
