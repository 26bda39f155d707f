//go:build integration && linux

package integration

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

const ebpfSchedConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Health}}
receivers:
  ebpf_sched:
    collection_interval: 1s
    initial_delay: 0s
    per_cpu: true
    host_name: ebpf-it
    on_unavailable: {{.OnUnavailable}}
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
      receivers: [ebpf_sched]
      exporters: [file]
`

// TestEbpfSched loads the scheduler probes through the built binary (CI runs as root) and
// expects per-CPU run-queue latency histograms and context switches for host.name.
func TestEbpfSched(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loading BPF programs needs root (CI runs as root)")
	}
	values := map[string]any{
		"Health":        freePort(t),
		"MetricsFile":   filepath.Join(t.TempDir(), "metrics.jsonl"),
		"OnUnavailable": "fail",
	}
	col := startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", values["Health"]), nil,
		"--config", renderConfig(t, ebpfSchedConfig, values))

	eventually(t, 30*time.Second, "run-queue latency and context switches", func() bool {
		md := readMetricsFile(t, values["MetricsFile"].(string))
		return runQueueSamples(md) > 0 && hostsWith(md, "aiops.sched.context_switches")["ebpf-it"]
	})
	col.Stop(t)
	assert.Contains(t, col.Output(), "ebpf_sched: probes attached")
}

func runQueueSamples(md pmetric.Metrics) uint64 {
	var n uint64
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != "aiops.sched.runqueue.latency" {
					continue
				}
				for _, dp := range m.ExponentialHistogram().DataPoints().All() {
					if _, ok := dp.Attributes().Get("cpu.logical_number"); ok {
						n += dp.Count()
					}
				}
			}
		}
	}
	return n
}

// TestEbpfSchedDegrades runs the binary as uid 65534 without capabilities: with
// on_unavailable: warn the collector stays up and says once what is missing and how to fix it.
func TestEbpfSchedDegrades(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("switching to uid 65534 needs root (CI runs as root)")
	}
	dir := worldReadableDir(t)
	bin := filepath.Join(dir, "otelcol-aiops")
	copyFile(t, binary(t), bin, 0o755)
	values := map[string]any{
		"Health":        freePort(t),
		"MetricsFile":   filepath.Join(dir, "metrics.jsonl"),
		"OnUnavailable": "warn",
	}
	cfg := filepath.Join(dir, "config.yaml")
	copyFile(t, renderConfig(t, ebpfSchedConfig, values), cfg, 0o644)

	cmd := exec.Command(bin, "--config", cfg)
	cmd.SysProcAttr = procAttr()
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: 65534, Gid: 65534}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	col := &Collector{cmd: cmd, output: out, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(col.exited) }()
	t.Cleanup(func() { col.Stop(t) })
	col.waitHealthy(t, fmt.Sprintf("http://127.0.0.1:%d/", values["Health"]))
	col.Stop(t)

	logs := col.Output()
	assert.Equal(t, 1, strings.Count(logs, "ebpf_sched receiver disabled"), logs)
	assert.Contains(t, logs, "missing capabilities CAP_BPF, CAP_PERFMON")
	assert.Contains(t, logs, "setcap cap_bpf,cap_perfmon=ep")
}

// worldReadableDir is a temporary directory uid 65534 can enter (t.TempDir's parent is private).
func worldReadableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ebpfsched-it")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o777)) //nolint:gosec // the unprivileged collector writes its output here
	return dir
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, errors.Join(err, out.Close()))
}
