//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
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

const redfishLogsConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Health}}
  file_storage:
    directory: {{.StorageDir}}
receivers:
  redfish:
    collection_interval: 1s
    initial_delay: 0s
    logs:
      storage: file_storage
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
  file/metrics:
    path: {{.MetricsFile}}
    flush_interval: 100ms
  file/logs:
    path: {{.LogsFile}}
    flush_interval: 100ms
service:
  extensions: [health_check, file_storage]
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [redfish]
      exporters: [file/metrics]
    logs:
      receivers: [redfish]
      exporters: [file/logs]
`

// TestRedfishEventLogExactlyOnceAcrossRestart reads the SEL of two simulated BMCs through
// the built binary: every entry is emitted once, later cycles add nothing, and a
// restarted collector with the same file_storage emits none of them again.
func TestRedfishEventLogExactlyOnceAcrossRestart(t *testing.T) {
	sim := startRedfishSimulator(t, 2)
	storage := t.TempDir()
	run := func(dir string) (*Collector, map[string]any) {
		values := map[string]any{
			"Health":      freePort(t),
			"Sim":         sim,
			"StorageDir":  storage,
			"MetricsFile": filepath.Join(dir, "metrics.jsonl"),
			"LogsFile":    filepath.Join(dir, "logs.jsonl"),
		}
		return startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", values["Health"]), nil,
			"--config", renderConfig(t, redfishLogsConfig, values)), values
	}
	// cycles waits until n metrics cycles of both BMCs are written: the logs
	// scraper runs on the same interval, so it has had n-1 cycles at least.
	cycles := func(values map[string]any, n int) {
		eventually(t, 30*time.Second, fmt.Sprintf("%d scrape cycles", n), func() bool {
			return resourcesWith(readMetricsFile(t, values["MetricsFile"].(string)), "hw.status") >= 2*n
		})
	}
	want := map[string]int{"node-00 1": 1, "node-00 2": 1, "node-00 3": 1, "node-01 1": 1, "node-01 2": 1, "node-01 3": 1}

	col, values := run(t.TempDir())
	eventually(t, 30*time.Second, "the 3 SEL entries of both BMCs", func() bool {
		return len(selEntries(t, values["LogsFile"].(string))) == len(want)
	})
	cycles(values, 4)
	col.Stop(t)
	assert.Equal(t, want, selEntries(t, values["LogsFile"].(string)), "each entry once, later cycles add nothing")

	col, values = run(t.TempDir())
	cycles(values, 3)
	col.Stop(t)
	assert.Empty(t, selEntries(t, values["LogsFile"].(string)), "nothing emitted again after the restart")
	for bmc := range 2 {
		require.Zero(t, openSessions(t, sim, bmc), "bmc %d: sessions left open after shutdown", bmc)
	}
}

// selEntries counts the redfish.log_entry records of a file exporter's JSON lines by
// "<host.name> <entry id>".
func selEntries(t *testing.T, path string) map[string]int {
	t.Helper()
	out := map[string]int{}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	var u plog.JSONUnmarshaler
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		ld, err := u.UnmarshalLogs(sc.Bytes())
		if err != nil {
			continue
		}
		for _, rl := range ld.ResourceLogs().All() {
			host, _ := rl.Resource().Attributes().Get("host.name")
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					if lr.EventName() != "redfish.log_entry" {
						continue
					}
					id, _ := lr.Attributes().Get("redfish.log_entry.id")
					out[host.Str()+" "+id.Str()]++
				}
			}
		}
	}
	return out
}

// resourcesWith counts the resources (one per BMC and cycle) that carry metric name.
func resourcesWith(md pmetric.Metrics, name string) int {
	n := 0
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == name {
					n++
				}
			}
		}
	}
	return n
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
