//go:build integration

package integration

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	_ "google.golang.org/grpc/encoding/gzip" // the otlp_grpc exporter compresses with gzip by default
)

// otlpSink is an OTLP/gRPC server for logs and metrics that keeps what it receives: the
// "backend" of the collectors under test.
type otlpSink struct {
	addr    string
	mu      sync.Mutex
	logs    plog.Logs
	metrics pmetric.Metrics
}

func startSink(t *testing.T) *otlpSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &otlpSink{addr: l.Addr().String(), logs: plog.NewLogs(), metrics: pmetric.NewMetrics()}
	srv := grpc.NewServer()
	plogotlp.RegisterGRPCServer(srv, &logService{otlpSink: s})
	pmetricotlp.RegisterGRPCServer(srv, &metricService{otlpSink: s})
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	return s
}

func (s *otlpSink) receivedLogs() plog.Logs {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := plog.NewLogs()
	s.logs.CopyTo(out)
	return out
}

func (s *otlpSink) receivedMetrics() pmetric.Metrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := pmetric.NewMetrics()
	s.metrics.CopyTo(out)
	return out
}

type logService struct {
	plogotlp.UnimplementedGRPCServer
	*otlpSink
}

func (s *logService) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req.Logs().ResourceLogs().MoveAndAppendTo(s.logs.ResourceLogs())
	return plogotlp.NewExportResponse(), nil
}

type metricService struct {
	pmetricotlp.UnimplementedGRPCServer
	*otlpSink
}

func (s *metricService) Export(_ context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req.Metrics().ResourceMetrics().MoveAndAppendTo(s.metrics.ResourceMetrics())
	return pmetricotlp.NewExportResponse(), nil
}

// dialOTLP connects an OTLP/gRPC client to the collector's receiver on port and returns
// it with a context that bounds the test's exports; both are cleaned up with t.
func dialOTLP(t *testing.T, port any, creds credentials.TransportCredentials) (*grpc.ClientConn, context.Context) {
	t.Helper()
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%v", port), grpc.WithTransportCredentials(creds))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return conn, ctx
}
