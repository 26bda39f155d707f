//go:build integration

package integration

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// distributionComponents are our own components and the upstream parts the distribution
// promises (docs/components.md).
var distributionComponents = map[string][]string{
	"receivers":  {"otlp", "host_metrics", "file_log", "webhook_event", "prometheus", "redfish", "ebpf_sched"},
	"processors": {"batch", "memory_limiter", "resource_detection", "transform", "filter", "attributes", "regression", "correlation"},
	"connectors": {"forward", "service_graph"},
	"exporters":  {"debug", "otlp_grpc", "otlp_http", "file", "prometheus", "load_balancing", "incident"},
	"extensions": {"health_check", "pprof", "zpages", "file_storage", "bearertokenauth", "basicauth"},
}

func TestComponentsListsDistribution(t *testing.T) {
	out, err := exec.Command(binary(t), "components").Output()
	require.NoError(t, err)
	var listed map[string]any
	require.NoError(t, yaml.Unmarshal(out, &listed))
	for kind, want := range distributionComponents {
		names := componentNames(listed[kind])
		for _, name := range want {
			require.Contains(t, names, name, "%s: %s missing from `otelcol-aiops components`", kind, name)
		}
	}
}

func componentNames(list any) []string {
	var names []string
	entries, _ := list.([]any)
	for _, e := range entries {
		if m, ok := e.(map[string]any); ok {
			names = append(names, fmt.Sprint(m["name"]))
		}
	}
	slices.Sort(names)
	return names
}

// TestQuickstart runs configs/quickstart.yaml as `make run` does (on free ports) and checks
// that the machine's own metrics come out of both the debug and the Prometheus exporters
// and that the incident API answers with the token only.
func TestQuickstart(t *testing.T) {
	health, prom, api := freePort(t), freePort(t), freePort(t)
	dataDir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dataDir, "api-token"), []byte("quickstart-token\n"), 0o600))
	env := []string{
		fmt.Sprintf("AIOPS_HEALTH_ENDPOINT=127.0.0.1:%d", health),
		fmt.Sprintf("AIOPS_PROMETHEUS_ENDPOINT=127.0.0.1:%d", prom),
		fmt.Sprintf("AIOPS_ZPAGES_ENDPOINT=127.0.0.1:%d", freePort(t)),
		fmt.Sprintf("AIOPS_PPROF_ENDPOINT=127.0.0.1:%d", freePort(t)),
		fmt.Sprintf("AIOPS_OTLP_GRPC_ENDPOINT=127.0.0.1:%d", freePort(t)),
		fmt.Sprintf("AIOPS_OTLP_HTTP_ENDPOINT=127.0.0.1:%d", freePort(t)),
		fmt.Sprintf("AIOPS_TELEMETRY_PORT=%d", freePort(t)),
		fmt.Sprintf("AIOPS_API_ENDPOINT=127.0.0.1:%d", api),
		"AIOPS_SCRAPE_INTERVAL=1s",
		"AIOPS_DATA_DIR=" + dataDir,
	}
	col := startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", health), env,
		"--config", filepath.Join(repoRoot(t), "configs", "quickstart.yaml"))

	hostMetrics := []string{"system.cpu.time", "system.memory.usage"}
	eventually(t, 30*time.Second, "host metrics in the debug exporter's output", func() bool {
		return hasAll(col.Output(), hostMetrics...)
	})
	eventually(t, 30*time.Second, "host metrics on the Prometheus endpoint", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", prom))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return hasAll(string(body), "system_cpu_time", "host_name=")
	})
	incidents := fmt.Sprintf("http://127.0.0.1:%d/api/v1/incidents", api)
	for token, want := range map[string]int{"": http.StatusUnauthorized, "wrong": http.StatusUnauthorized, "quickstart-token": http.StatusOK} {
		req, err := http.NewRequest(http.MethodGet, incidents, http.NoBody)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, "token %q", token)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return strings.TrimSuffix(filepath.Dir(file), string(filepath.Separator)+"integration")
}
