package regressionprocessor

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/filterprocessor"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadatatest"
)

// benchBatches builds nSeries gauge series spread over batches of
// perBatch points: 10 hosts per batch (resources), one metric each with
// perBatch/10 points told apart by a "cpu" attribute.
func benchBatches(nSeries, perBatch int) []pmetric.Metrics {
	var out []pmetric.Metrics
	perRes := perBatch / 10
	for s := 0; s < nSeries; s += perBatch {
		md := pmetric.NewMetrics()
		for r := 0; r < 10; r++ {
			rm := md.ResourceMetrics().AppendEmpty()
			host := (s + r*perRes) / perRes
			rm.Resource().Attributes().PutStr("host.name", "host-"+strconv.Itoa(host))
			rm.Resource().Attributes().PutStr("service.name", "node")
			rm.Resource().Attributes().PutStr("service.version", "1.2.3")
			sm := rm.ScopeMetrics().AppendEmpty()
			sm.Scope().SetName("hostmetrics")
			m := sm.Metrics().AppendEmpty()
			m.SetName("system.cpu.utilization")
			m.SetUnit("1")
			dps := m.SetEmptyGauge().DataPoints()
			for i := 0; i < perRes; i++ {
				dp := dps.AppendEmpty()
				dp.Attributes().PutStr("cpu", strconv.Itoa(i))
				dp.Attributes().PutStr("state", "user")
			}
		}
		out = append(out, md)
	}
	return out
}

// setRound stamps every point of the batches with round r's time and a
// value (a level per series plus a small cycle).
func setRound(batches []pmetric.Metrics, r int) {
	ts := pcommon.NewTimestampFromTime(t0.Add(time.Duration(r) * time.Minute))
	for bi, md := range batches {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			dps := rms.At(i).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints()
			for j := 0; j < dps.Len(); j++ {
				dp := dps.At(j)
				dp.SetTimestamp(ts)
				dp.SetDoubleValue(float64((bi+i+j)%50) + float64((r*7+j)%11)*0.1)
			}
		}
	}
}

// trim removes the derived resources appended by the processor.
func trim(md pmetric.Metrics, n int) {
	i := 0
	md.ResourceMetrics().RemoveIf(func(pmetric.ResourceMetrics) bool { i++; return i > n })
}

// newBenchProcessor returns a processor at default settings but for
// max_series and without the queue: the whole cost of detection is in the
// call.
func newBenchProcessor(tb testing.TB, maxSeries int) *regressionProcessor {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxSeries = maxSeries
	cfg.Queue.Enabled = false
	p, err := newProcessor(processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(tb, err)
	return p
}

// BenchmarkConsumeMetrics: one op is one batch of 1000 gauge points; 100k
// series are active and warmed past warm-up, visited round-robin.
func BenchmarkConsumeMetrics(b *testing.B) {
	const nSeries, perBatch = 100_000, 1000
	batches := benchBatches(nSeries, perBatch)
	p := newBenchProcessor(b, nSeries)
	ctx := context.Background()
	const warm = 55
	round := 0
	for ; round < warm; round++ {
		setRound(batches, round)
		for _, md := range batches {
			require.NoError(b, p.ConsumeMetrics(ctx, md))
			trim(md, 10)
		}
	}
	require.Equal(b, nSeries, p.eng.Len())
	setRound(batches, round)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(batches)
		if k == 0 && i > 0 {
			b.StopTimer()
			round++
			setRound(batches, round)
			b.StartTimer()
		}
		md := batches[k]
		_ = p.ConsumeMetrics(ctx, md)
		trim(md, 10)
	}
	b.StopTimer()
	perPoint := float64(b.Elapsed().Nanoseconds()) / float64(b.N*perBatch)
	b.ReportMetric(perPoint, "ns/point")
	b.ReportMetric(1e9/perPoint, "points/s")
}

// BenchmarkPipeline measures, in one run, an OTLP pipeline step (protobuf
// unmarshal → consumer → marshal, and the same with the gzip compression an
// OTLP exporter applies by default) without and with the processor scoring
// in the request (queue off) on the same payloads (10k series, batches of
// 1000 points), and reports the throughput ratio.
func BenchmarkPipeline(b *testing.B) {
	b.Run("proto", func(b *testing.B) { benchPipeline(b, false, nil) })
	b.Run("proto+gzip", func(b *testing.B) { benchPipeline(b, true, nil) })
	// Only one metric in ten watched (include pattern), the others pass by.
	b.Run("proto,10%-watched", func(b *testing.B) {
		benchPipeline(b, false, []string{"system.cpu.utilization.0"})
	})
}

func benchPipeline(b *testing.B, gz bool, include []string) {
	zw := gzip.NewWriter(io.Discard)
	export := func(md pmetric.Metrics) int {
		out, _ := (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
		if gz {
			zw.Reset(io.Discard)
			_, _ = zw.Write(out)
			_ = zw.Close()
		}
		return len(out)
	}
	const nSeries, perBatch = 10_000, 1000
	batches := benchBatches(nSeries, perBatch)
	if include != nil {
		for _, md := range batches {
			for r := 0; r < md.ResourceMetrics().Len(); r++ {
				m := md.ResourceMetrics().At(r).ScopeMetrics().At(0).Metrics().At(0)
				m.SetName(m.Name() + "." + strconv.Itoa(r))
			}
		}
	}
	p := newBenchProcessor(b, nSeries)
	if include != nil {
		cfg := *p.cfg
		cfg.Metrics.Include = include
		var err error
		p, err = newProcessor(processortest.NewNopSettings(metadata.Type), &cfg, consumertest.NewNop())
		require.NoError(b, err)
	}
	ctx := context.Background()
	var um pmetric.ProtoUnmarshaler
	var ma pmetric.ProtoMarshaler
	payloads := make([][]byte, len(batches))
	encode := func(r int) {
		setRound(batches, r)
		for i, md := range batches {
			var err error
			payloads[i], err = ma.MarshalMetrics(md)
			require.NoError(b, err)
		}
	}
	round := 0
	for ; round < 55; round++ { // warm the series
		encode(round)
		for _, pl := range payloads {
			md, _ := um.UnmarshalMetrics(pl)
			require.NoError(b, p.ConsumeMetrics(ctx, md))
		}
	}
	encode(round)
	var without, with time.Duration
	var bytesOut int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(payloads)
		if k == 0 && i > 0 {
			b.StopTimer()
			round++
			encode(round)
			b.StartTimer()
		}
		start := time.Now()
		md, _ := um.UnmarshalMetrics(payloads[k])
		n1 := export(md)
		mid := time.Now()
		md, _ = um.UnmarshalMetrics(payloads[k])
		_ = p.ConsumeMetrics(ctx, md)
		n2 := export(md)
		end := time.Now()
		without += mid.Sub(start)
		with += end.Sub(mid)
		bytesOut += n2 - n1
	}
	b.StopTimer()
	b.ReportMetric(float64(without.Nanoseconds())/float64(b.N*perBatch), "ns/point-without")
	b.ReportMetric(float64(with.Nanoseconds())/float64(b.N*perBatch), "ns/point-with")
	b.ReportMetric(float64(without)/float64(with), "throughput-ratio")
	b.ReportMetric(float64(bytesOut)/float64(b.N), "derived-bytes/batch")
}

// BenchmarkPipelineOTLP measures what a gateway collector does with and
// without the processor: the real otlp receiver (gRPC on loopback) → [the
// processor] → the real otlp exporter (gRPC, gzip: its defaults) → a sink
// on loopback, two such pipelines in one process fed the same payloads
// (10k series, batches of 1000 points, every metric watched, default
// settings). The exporter's sending queue is off so that each request's
// whole cost is measured in the caller. The load generator sends
// pre-encoded, uncompressed requests and the sink, the backend, runs in a
// process of its own (as the collector's testbed runs its mock backend)
// and neither decodes nor answers more than an empty response, so that
// little outside the collector is timed; their cost is the same with and
// without the processor.
//
// One op is a stream of passesPerOp passes over the 10k series (50
// requests) through one pipeline, then the same through the other, the
// order alternating. A stream through the processor ends when its
// detection worker has scored the stream's last batch, so its time holds
// all the work the processor did for it, on whichever core. Reported: ns
// per point with and without, the ratio of the totals and of the medians
// of the per-stream times (robust to other work on the machine), the points
// the processor shed (queue full), which must be 0 for the ratio to mean
// anything, and the CPU time this process (the collector and the load
// generator) used per point without and with the processor, and their
// ratio: the difference is what the processor costs, and the ratio about
// the throughput to expect when the collector's own cores, with nothing
// else on them, are the limit.
//
// With one sender (senders=1) the collector has a core to spare, as an
// agent's exporter waiting for each response leaves it; with five
// concurrent senders its cores are the limit, as in a busy gateway.
//
// For scale, reference/senders=5 puts contrib's filter processor in the
// processor's place, evaluating one OTTL data point condition that drops
// nothing: about the least per-point work a processor can do.
func BenchmarkPipelineOTLP(b *testing.B) {
	for _, senders := range []int{1, 5} {
		b.Run("senders="+strconv.Itoa(senders), func(b *testing.B) { benchPipelineOTLP(b, senders, newRegressionUnderTest) })
	}
	b.Run("reference/senders=5", func(b *testing.B) { benchPipelineOTLP(b, 5, newFilterUnderTest) })
}

// underTest is the processor of the pipeline benchmarked with it.
type underTest struct {
	consumer.Metrics
	drain  func()           // returns when the processor has done the work of what it was sent
	report func(*testing.B) // checks and reports the processor's own figures after the timed streams
}

type newUnderTest func(b *testing.B, nSeries int, next consumer.Metrics) underTest

func newRegressionUnderTest(b *testing.B, nSeries int, next consumer.Metrics) underTest {
	tt := componenttest.NewTelemetry()
	b.Cleanup(func() { require.NoError(b, tt.Shutdown(context.Background())) })
	cfg := createDefaultConfig().(*Config)
	cfg.MaxSeries = nSeries
	p := newTestProcessor(b, metadatatest.NewSettings(tt), cfg, next)
	return underTest{Metrics: p, drain: p.sync, report: func(b *testing.B) {
		require.Equal(b, nSeries, p.eng.Len())
		b.ReportMetric(float64(shedPoints(tt)), "shed-points")
	}}
}

func newFilterUnderTest(b *testing.B, _ int, next consumer.Metrics) underTest {
	ctx := context.Background()
	f := filterprocessor.NewFactory()
	cfg := f.CreateDefaultConfig().(*filterprocessor.Config)
	require.NoError(b, confmap.NewFromStringMap(map[string]any{"metric_conditions": []any{
		map[string]any{"context": "datapoint", "conditions": []any{"value_double < -1000000.0"}},
	}}).Unmarshal(cfg))
	fp, err := f.CreateMetrics(ctx, processortest.NewNopSettings(f.Type()), cfg, next)
	require.NoError(b, err)
	require.NoError(b, fp.Start(ctx, componenttest.NewNopHost()))
	b.Cleanup(func() { require.NoError(b, fp.Shutdown(ctx)) })
	return underTest{Metrics: fp, drain: func() {}, report: func(*testing.B) {}}
}

func benchPipelineOTLP(b *testing.B, senders int, newProc newUnderTest) {
	const nSeries, perBatch, passesPerOp = 10_000, 1000, 5
	require.Zero(b, (nSeries/perBatch)%senders, "each series keeps one sender")
	sink := startSinkProcess(b)
	without := startOTLPPipeline(b, sink, nil)
	var proc underTest
	with := startOTLPPipeline(b, sink, func(next consumer.Metrics) consumer.Metrics {
		proc = newProc(b, nSeries, next)
		return proc
	})
	batches := benchBatches(nSeries, perBatch)
	var ma pmetric.ProtoMarshaler
	// encode returns the payloads of passes r, r+1, … r+passesPerOp-1.
	encode := func(r int) (out [][]byte) {
		for pass := r; pass < r+passesPerOp; pass++ {
			setRound(batches, pass)
			for _, md := range batches {
				pl, err := ma.MarshalMetrics(md)
				require.NoError(b, err)
				out = append(out, pl)
			}
		}
		return out
	}
	var cpuN, cpuW time.Duration // the process's, over the timed streams
	cpuOK := true
	stream := func(pp *otlpPipeline, payloads [][]byte, drain func(), cpu *time.Duration) time.Duration {
		c0, ok0 := processCPU()
		start := time.Now()
		require.NoError(b, pp.sendAll(payloads, senders))
		drain()
		d := time.Since(start)
		c1, ok1 := processCPU()
		*cpu += c1 - c0
		cpuOK = cpuOK && ok0 && ok1
		return d
	}
	const warm = 55 // passes past warm-up
	for r := 0; r < warm; r += passesPerOp {
		stream(with, encode(r), proc.drain, new(time.Duration))
	}
	var tw, tn []time.Duration
	nop := func() {}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		payloads := encode(warm + i*passesPerOp)
		b.StartTimer()
		if i%2 == 0 {
			tn = append(tn, stream(without, payloads, nop, &cpuN))
			tw = append(tw, stream(with, payloads, proc.drain, &cpuW))
		} else {
			tw = append(tw, stream(with, payloads, proc.drain, &cpuW))
			tn = append(tn, stream(without, payloads, nop, &cpuN))
		}
	}
	b.StopTimer()
	proc.report(b)
	sumN, sumW := sumDurations(tn), sumDurations(tw)
	points := float64(b.N * passesPerOp * nSeries)
	b.ReportMetric(float64(sumN.Nanoseconds())/points, "ns/point-without")
	b.ReportMetric(float64(sumW.Nanoseconds())/points, "ns/point-with")
	b.ReportMetric(float64(sumN)/float64(sumW), "throughput-ratio")
	b.ReportMetric(float64(medianDuration(tn))/float64(medianDuration(tw)), "median-ratio")
	if cpuOK {
		b.ReportMetric(float64(cpuN)/float64(cpuW), "cpu-ratio")
		b.ReportMetric(float64(cpuN.Nanoseconds())/points, "cpu-ns/point-without")
		b.ReportMetric(float64(cpuW.Nanoseconds())/points, "cpu-ns/point-with")
	}
}

// shedPoints returns the points the processor skipped because its queue
// was full.
func shedPoints(tt *componenttest.Telemetry) int64 {
	m, err := tt.GetMetric("otelcol_processor_regression_points_skipped")
	if err != nil { // no point skipped at all
		return 0
	}
	var n int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if v, _ := dp.Attributes.Value("reason"); v.AsString() == skipReasonNames[skipQueueFull] {
			n += dp.Value
		}
	}
	return n
}

func sumDurations(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s
}

func medianDuration(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// otlpPipeline is a receiver → [processor] → exporter pipeline and a client
// connection to its receiver.
type otlpPipeline struct {
	conn *grpc.ClientConn
}

const otlpMetricsExport = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"

// send posts one encoded ExportMetricsServiceRequest and waits for the
// pipeline to have exported it.
func (pp *otlpPipeline) send(payload []byte) error {
	var resp rawMessage
	req := rawMessage(payload)
	return pp.conn.Invoke(context.Background(), otlpMetricsExport, &req, &resp, grpc.ForceCodec(rawCodec{}))
}

// sendAll sends the payloads over concurrent streams: sender s sends
// payloads s, s+senders, … in order, so that when senders divides the
// batches of a pass each series keeps one sender and its points their
// order.
func (pp *otlpPipeline) sendAll(payloads [][]byte, senders int) error {
	var g errgroup.Group
	for s := range senders {
		g.Go(func() error {
			for i := s; i < len(payloads); i += senders {
				if err := pp.send(payloads[i]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// startOTLPPipeline starts an otlp exporter to sink, wraps it with wrap
// (nil: none) and starts an otlp receiver on a free loopback port in front.
func startOTLPPipeline(b *testing.B, sink string, wrap func(consumer.Metrics) consumer.Metrics) *otlpPipeline {
	ctx := context.Background()
	host := componenttest.NewNopHost()
	ef := otlpexporter.NewFactory()
	ecfg := ef.CreateDefaultConfig().(*otlpexporter.Config)
	ecfg.ClientConfig.Endpoint = sink
	ecfg.ClientConfig.TLS.Insecure = true
	disable(&ecfg.QueueConfig)
	exp, err := ef.CreateMetrics(ctx, exportertest.NewNopSettings(ef.Type()), ecfg)
	require.NoError(b, err)
	require.NoError(b, exp.Start(ctx, host))
	b.Cleanup(func() { require.NoError(b, exp.Shutdown(ctx)) })
	var next consumer.Metrics = exp
	if wrap != nil {
		next = wrap(exp)
	}

	rf := otlpreceiver.NewFactory()
	rcfg := rf.CreateDefaultConfig().(*otlpreceiver.Config)
	addr := freeLoopbackAddr(b)
	rcfg.Protocols.GRPC.GetOrInsertDefault().NetAddr.Endpoint = addr
	disable(&rcfg.Protocols.HTTP)
	rcv, err := rf.CreateMetrics(ctx, receivertest.NewNopSettings(rf.Type()), rcfg, next)
	require.NoError(b, err)
	require.NoError(b, rcv.Start(ctx, host))
	b.Cleanup(func() { require.NoError(b, rcv.Shutdown(ctx)) })

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(b, err)
	b.Cleanup(func() { _ = conn.Close() })
	return &otlpPipeline{conn: conn}
}

func disable[T any](o *configoptional.Optional[T]) { *o = configoptional.None[T]() }

func freeLoopbackAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	addr := l.Addr().String()
	require.NoError(b, l.Close())
	return addr
}

// sinkProcessEnv makes TestRawSinkProcess serve.
const sinkProcessEnv = "REGRESSION_BENCH_SINK"

// TestRawSinkProcess is the backend of BenchmarkPipelineOTLP, which runs
// this test binary again as a process of its own: a backend does not share
// the collector's process and scheduler. It prints its address and serves
// until its standard input closes.
func TestRawSinkProcess(t *testing.T) {
	if os.Getenv(sinkProcessEnv) == "" {
		t.Skip("the sink process of BenchmarkPipelineOTLP")
	}
	fmt.Println(startRawSink(t))
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// startSinkProcess starts TestRawSinkProcess and returns its address.
func startSinkProcess(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestRawSinkProcess$")
	cmd.Env = append(os.Environ(), sinkProcessEnv+"=1")
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(b, err)
	return strings.TrimSpace(addr)
}

// startRawSink serves the OTLP metrics Export method on a loopback port
// without decoding requests (the backend's work is not the collector's)
// and returns its address.
func startRawSink(tb testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	srv := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		var req rawMessage
		if err := stream.RecvMsg(&req); err != nil {
			return err
		}
		return stream.SendMsg(&rawMessage{}) // an empty ExportMetricsServiceResponse
	}))
	go func() { _ = srv.Serve(l) }()
	tb.Cleanup(srv.Stop)
	return l.Addr().String()
}

// rawMessage is an encoded protobuf message, passed through by rawCodec.
type rawMessage []byte

// rawCodec moves encoded messages without decoding them.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *v.(*rawMessage), nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	*v.(*rawMessage) = append((*v.(*rawMessage))[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// TestBytesPerSeriesThroughProcessor measures the heap held per series by
// the processor (engine table, index, adapter) after 100k gauge series
// went through ConsumeMetrics at default settings; the budget is 2 KiB.
func TestBytesPerSeriesThroughProcessor(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~250 MB")
	}
	const nSeries = 100_000
	batches := benchBatches(nSeries, 1000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := newBenchProcessor(t, nSeries)
	for r := 0; r < 3; r++ {
		setRound(batches, r)
		for _, md := range batches {
			require.NoError(t, p.ConsumeMetrics(context.Background(), md))
			trim(md, 10)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(p)
	runtime.KeepAlive(batches) // held on both sides of the difference
	per := float64(after.HeapAlloc-before.HeapAlloc) / nSeries
	t.Logf("%.0f bytes per series", per)
	require.Equal(t, nSeries, p.eng.Len())
	require.LessOrEqual(t, per, 2048.0)
}

// BenchmarkCapture measures what a request pays with the queue: copying
// its watched points out (one op: a batch of 1000 gauge points).
func BenchmarkCapture(b *testing.B) {
	batches := benchBatches(10_000, 1000)
	setRound(batches, 0)
	p := newBenchProcessor(b, 10_000)
	bt := new(batch)
	b.ReportAllocs()
	for b.Loop() {
		p.capture(batches[0], bt)
		bt.reset()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/point")
}
