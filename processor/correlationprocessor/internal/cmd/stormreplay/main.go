// Command stormreplay sends one generated alert storm (see internal/stormgen)
// to a running collector over OTLP/gRPC, shifted so that its last finding is
// now: resources as metrics, calls as client spans, findings as
// aiops.finding log records, in arrival order. With -api it then watches the
// incident exporter's API until the storm's incident is there and prints it
// next to the injected root cause. `make demo` uses it to show a storm of
// findings becoming one incident.
//
//	go run ./processor/correlationprocessor/internal/cmd/stormreplay -endpoint localhost:4317 -seed 20 \
//	    -api http://localhost:8089 -token-file data/api-token
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/stormgen"
)

func main() {
	endpoint := flag.String("endpoint", "localhost:4317", "OTLP/gRPC endpoint of the collector")
	seed := flag.Int64("seed", 20, "storm seed: the same seed is the same storm")
	cause := flag.String("cause", "", "root cause layer: hardware, host, service or deploy (default: the seed's)")
	caFile := flag.String("ca-file", "", "CA certificate to verify the collector's TLS certificate; without it the connection is plaintext (loopback only)")
	apiURL := flag.String("api", "", "incident API base URL to watch for the storm's incident (e.g. http://localhost:8089); empty: do not watch")
	tokenFile := flag.String("token-file", "", "file holding the API's bearer token")
	wait := flag.Duration("wait", 2*time.Minute, "how long to wait for the collector and for the incident")
	flag.Parse()
	st := stormgen.Generate(*seed)
	if *cause != "" {
		st = stormgen.GenerateCause(*seed, stormgen.Cause(*cause))
	}
	err := send(*endpoint, st, *caFile, *wait)
	if err == nil && *apiURL != "" {
		err = watch(*apiURL, *tokenFile, st, *wait)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stormreplay:", err)
		os.Exit(1)
	}
}

// send replays st; it waits up to wait for the collector to accept
// connections, so it can be started together with the collector.
func send(endpoint string, st stormgen.Storm, caFile string, wait time.Duration) error {
	creds, err := transportCredentials(caFile)
	if err != nil {
		return err
	}
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(creds), grpc.WithDefaultCallOptions(grpc.WaitForReady(true)))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()

	shift := time.Since(lastTime(st))
	if err := sendResources(ctx, conn, st, shift); err != nil {
		return fmt.Errorf("resources: %w", err)
	}
	if err := sendEdges(ctx, conn, st, shift); err != nil {
		return fmt.Errorf("traces: %w", err)
	}
	if err := sendFindings(ctx, conn, st, shift); err != nil {
		return fmt.Errorf("findings: %w", err)
	}
	fmt.Printf("sent storm %d: %d findings over %d services on %d hosts; injected root cause (%s): %s\n",
		st.Seed, len(st.Findings), len(st.Topology.Services), len(st.Topology.Hosts), st.Cause, st.RootNode)
	return nil
}

func transportCredentials(caFile string) (credentials.TransportCredentials, error) {
	if caFile == "" {
		return insecure.NewCredentials(), nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("no certificate in " + caFile)
	}
	return credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}), nil
}

// lastTime is the latest time in the storm, which the replay maps to now.
func lastTime(st stormgen.Storm) time.Time {
	var last time.Time
	for _, f := range st.Findings {
		for _, t := range []time.Time{f.Time, f.ObservedTime} {
			if t.After(last) {
				last = t
			}
		}
	}
	return last
}

func ts(t time.Time, shift time.Duration) pcommon.Timestamp {
	return pcommon.NewTimestampFromTime(t.Add(shift))
}

func sendResources(ctx context.Context, conn *grpc.ClientConn, st stormgen.Storm, shift time.Duration) error {
	md := pmetric.NewMetrics()
	for _, r := range st.Resources {
		rm := md.ResourceMetrics().AppendEmpty()
		for k, v := range r.Entity.All() {
			rm.Resource().Attributes().PutStr(k, v)
		}
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("stormreplay.up")
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(ts(r.Time, shift))
		dp.SetIntValue(1)
	}
	_, err := pmetricotlp.NewGRPCClient(conn).Export(ctx, pmetricotlp.NewExportRequestFromMetrics(md))
	return err
}

// sendEdges sends the storm's call graph as client spans: the edges the
// generator marks as traced and those it would give as static configuration
// (sent here as traced before the storm, so the demo needs no config).
func sendEdges(ctx context.Context, conn *grpc.ClientConn, st stormgen.Storm, shift time.Duration) error {
	edges := slices.Clone(st.Traced)
	for _, client := range slices.Sorted(maps.Keys(st.Static)) {
		for _, server := range st.Static[client] {
			edges = append(edges, stormgen.Edge{Client: client, Server: server, Time: st.Start.Add(-time.Minute)})
		}
	}
	td := ptrace.NewTraces()
	for _, e := range edges {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", e.Client)
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetName("call " + e.Server)
		sp.SetKind(ptrace.SpanKindClient)
		sp.SetStartTimestamp(ts(e.Time, shift))
		sp.SetEndTimestamp(ts(e.Time.Add(time.Millisecond), shift))
		sp.Attributes().PutStr("peer.service", e.Server)
	}
	_, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
	return err
}

func sendFindings(ctx context.Context, conn *grpc.ClientConn, st stormgen.Storm, shift time.Duration) error {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, f := range st.Findings {
		f.Time = f.Time.Add(shift)
		f.ObservedTime = f.ObservedTime.Add(shift)
		if err := incidentlog.AppendFinding(lrs, f); err != nil {
			return err
		}
	}
	_, err := plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
	return err
}
