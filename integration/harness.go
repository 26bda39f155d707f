//go:build integration

// Package integration starts the built otelcol-aiops binary on free loopback ports, feeds it
// with real OTLP clients and asserts on what comes out. Tests use the binary named by
// OTELCOL_AIOPS_BIN (make integration sets it) or build one once per test run.
package integration

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"
)

const (
	startTimeout = 60 * time.Second
	stopTimeout  = 15 * time.Second
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary returns the collector under test, building it into a temporary directory when
// OTELCOL_AIOPS_BIN is unset so `go test -tags integration ./integration/...` works alone.
func binary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("OTELCOL_AIOPS_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "otelcol-aiops-it")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "otelcol-aiops")
		cmd := exec.Command("go", "build", "-o", builtBin, "github.com/otelcol-aiops/otelcol-aiops/cmd/otelcol-aiops")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building the collector: %v", buildErr)
	}
	return builtBin
}

// freePort reserves an ephemeral loopback port. The listener is closed before the
// collector binds it, so another process could take it in between (a small window); and
// the kernel may well hand the same free port to two probes in a row (seen: a collector
// given one port for its health check and its OTLP receiver failed to start), so a port
// is never returned twice in a test run.
func freePort(t *testing.T) int {
	t.Helper()
	handedOut.Lock()
	defer handedOut.Unlock()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("reserving a port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if err := l.Close(); err != nil {
			t.Fatalf("releasing port %d: %v", port, err)
		}
		if !handedOut.ports[port] {
			handedOut.ports[port] = true
			return port
		}
	}
	t.Fatal("no port that was not handed out before")
	return 0
}

// handedOut holds the ports freePort returned.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// syncBuffer collects the collector's output; the process writes while tests read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Collector is one running otelcol-aiops process.
type Collector struct {
	cmd    *exec.Cmd
	output *syncBuffer
	exited chan struct{}
	once   sync.Once
}

// renderConfig executes a text/template config with the given values into a file.
func renderConfig(t *testing.T, tmpl string, values any) string {
	t.Helper()
	parsed, err := template.New("config").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		t.Fatalf("parsing config template: %v", err)
	}
	var out bytes.Buffer
	if err := parsed.Execute(&out, values); err != nil {
		t.Fatalf("rendering config template: %v", err)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startCollector runs the binary with args and env, registers its stop with t.Cleanup
// (so it is killed even when the test fails) and waits until healthURL answers 200.
func startCollector(t *testing.T, healthURL string, env []string, args ...string) *Collector {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = procAttr()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the collector: %v", err)
	}
	c := &Collector{cmd: cmd, output: out, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() {
		c.Stop(t)
		if t.Failed() {
			t.Logf("collector output:\n%s", c.output.String())
		}
	})
	c.waitHealthy(t, healthURL)
	return c
}

func (c *Collector) waitHealthy(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-c.exited:
			t.Fatalf("collector exited before becoming healthy:\n%s", c.output.String())
		default:
		}
		if resp, err := client.Get(url); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("collector not healthy at %s after %s", url, startTimeout)
}

// Stop asks the collector to shut down and kills its whole process group if it does not
// within stopTimeout. Safe to call more than once.
func (c *Collector) Stop(t *testing.T) {
	c.once.Do(func() {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.exited:
		case <-time.After(stopTimeout):
			t.Errorf("collector did not stop within %s after SIGTERM; killing it", stopTimeout)
			killGroup(c.cmd)
			<-c.exited
		}
	})
}

// Output is everything the collector has written to stdout and stderr so far.
func (c *Collector) Output() string { return c.output.String() }

// eventually polls cond until it returns true or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		case <-tick.C:
		}
	}
}

func hasAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
