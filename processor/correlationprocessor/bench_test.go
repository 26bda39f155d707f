package correlationprocessor

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// hostMetrics is a batch without anomalies: 50 resources (service on host),
// 20 gauges of 5 points each.
func hostMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	for r := range 50 {
		rm := md.ResourceMetrics().AppendEmpty()
		a := rm.Resource().Attributes()
		a.PutStr("service.name", fmt.Sprintf("svc-%d", r%10))
		a.PutStr("host.name", fmt.Sprintf("node-%d", r))
		a.PutStr("k8s.node.name", fmt.Sprintf("node-%d", r))
		ms := rm.ScopeMetrics().AppendEmpty().Metrics()
		for m := range 20 {
			g := ms.AppendEmpty()
			g.SetName(fmt.Sprintf("system.metric.%d", m))
			dps := g.SetEmptyGauge().DataPoints()
			for d := range 5 {
				dp := dps.AppendEmpty()
				dp.SetTimestamp(ts(time.Duration(d) * time.Second))
				dp.SetDoubleValue(float64(d))
				dp.Attributes().PutStr("cpu", fmt.Sprint(d))
			}
		}
	}
	return md
}

// exporterSink stands for the rest of the pipeline: it marshals each batch
// to OTLP protobuf, as an OTLP exporter would.
type exporterSink struct{ m pmetric.ProtoMarshaler }

func (exporterSink) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }
func (s exporterSink) ConsumeMetrics(_ context.Context, md pmetric.Metrics) error {
	_, err := s.m.MarshalMetrics(md)
	return err
}

// BenchmarkMetricsPipelineRatio measures, interleaved in one run, a metrics
// pipeline without anomalies with and without the processor in front of the
// exporter, and reports throughput_ratio: the median over back-to-back pairs
// of time without / time with (target >= 0.95). Each pair runs under the
// same machine load (alternating which goes first), and the median drops the
// pairs a preemption or a GC cycle hit, which keeps the ratio stable on a
// busy machine.
func BenchmarkMetricsPipelineRatio(b *testing.B) {
	cfg := createDefaultConfig().(*Config)
	set := newSettings(b)
	sink := exporterSink{}
	p, err := NewFactory().CreateMetrics(context.Background(), set, cfg, sink)
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = p.Shutdown(context.Background()) }()
	md := hostMetrics()
	ctx := context.Background()
	var ratios []float64
	measure := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	base := func() { _ = sink.ConsumeMetrics(ctx, md) }
	proc := func() { _ = p.ConsumeMetrics(ctx, md) }
	b.ResetTimer()
	var with []time.Duration
	i := 0
	for b.Loop() {
		var tWithout, tWith time.Duration
		if i%2 == 0 {
			tWithout, tWith = measure(base), measure(proc)
		} else {
			tWith, tWithout = measure(proc), measure(base)
		}
		ratios = append(ratios, float64(tWithout)/float64(tWith))
		with = append(with, tWith)
		i++
	}
	b.ReportMetric(median(ratios), "throughput_ratio")
	b.ReportMetric(float64(md.DataPointCount())/median(with).Seconds(), "points/s_with")
}

func median[T float64 | time.Duration](xs []T) T {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// BenchmarkConsumeLogsFindings: error logs of 50 services on 50 hosts
// through ConsumeLogs (OTTL rules, extraction, engine), in findings/s.
func BenchmarkConsumeLogsFindings(b *testing.B) {
	cfg := createDefaultConfig().(*Config)
	set := newSettings(b)
	p, err := NewFactory().CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = p.Shutdown(context.Background()) }()
	const perBatch = 1000
	batch := func(i int) plog.Logs {
		ld := plog.NewLogs()
		for r := range perBatch {
			logRecord(ld, []string{"service.name", fmt.Sprintf("svc-%d", r%50), "host.name", fmt.Sprintf("node-%d", r%50)},
				time.Duration(i)*time.Second, plog.SeverityNumberError, "request failed: upstream timeout",
				"exception.type", fmt.Sprintf("E%d", r%7))
		}
		return ld
	}
	batches := make([]plog.Logs, 16)
	for i := range batches {
		batches[i] = batch(i)
	}
	ctx := context.Background()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		ld := plog.NewLogs()
		batches[i%len(batches)].CopyTo(ld)
		_ = p.ConsumeLogs(ctx, ld)
		i++
	}
	b.ReportMetric(float64(perBatch)*float64(b.N)/b.Elapsed().Seconds(), "findings/s")
}

// BenchmarkMetricsOverhead is the processor's own cost on the same batch
// (no anomalies): what BenchmarkMetricsPipelineRatio adds to the exporter's
// time, measured alone so that it is stable on a busy machine.
func BenchmarkMetricsOverhead(b *testing.B) {
	p, err := NewFactory().CreateMetrics(context.Background(), newSettings(b), createDefaultConfig(), consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = p.Shutdown(context.Background()) }()
	md := hostMetrics()
	ctx := context.Background()
	for b.Loop() {
		_ = p.ConsumeMetrics(ctx, md)
	}
	b.ReportMetric(float64(md.DataPointCount())*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkExporterSink is the stand-in exporter alone, for the ratio above.
func BenchmarkExporterSink(b *testing.B) {
	md := hostMetrics()
	ctx := context.Background()
	for b.Loop() {
		_ = exporterSink{}.ConsumeMetrics(ctx, md)
	}
}
