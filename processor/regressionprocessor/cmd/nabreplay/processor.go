package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"
)

// processorConfig returns the factory's default configuration with the
// JSON object js merged over it; every point is emitted so each row gets a
// score, and scored in the request (no queue) so that it is read back at
// once.
func processorConfig(js string) (*regressionprocessor.Config, error) {
	f := regressionprocessor.NewFactory()
	cfg := f.CreateDefaultConfig().(*regressionprocessor.Config)
	if js != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			return nil, fmt.Errorf("-config: %w", err)
		}
		if err := confmap.NewFromStringMap(m).Unmarshal(cfg); err != nil {
			return nil, fmt.Errorf("-config: %w", err)
		}
	}
	cfg.Emit.Mode = regressionprocessor.EmitAll
	cfg.Queue.Enabled = false
	cfg.MaxSeries = 1
	cfg.IdleTTL = 0
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("-config: %w", err)
	}
	return cfg, nil
}

// processorObserver feeds each row to the real processor as a one-point
// gauge and reads the derived series back.
type processorObserver struct {
	p       processor.Metrics
	sink    *consumertest.MetricsSink
	verbose bool
	buf     []byte
}

func newProcessorObserver(cfg *regressionprocessor.Config, verbose bool) (observer, error) {
	f := regressionprocessor.NewFactory()
	sink := new(consumertest.MetricsSink)
	p, err := f.CreateMetrics(context.Background(), processortest.NewNopSettings(f.Type()), cfg, sink)
	if err != nil {
		return nil, err
	}
	if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		return nil, err
	}
	return &processorObserver{p: p, sink: sink, verbose: verbose}, nil
}

func (o *processorObserver) close() error { return o.p.Shutdown(context.Background()) }

func (o *processorObserver) observe(t time.Time, v float64) (float64, []byte, error) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "nabreplay")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("nab.value")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(t))
	dp.SetDoubleValue(v)
	o.sink.Reset()
	if err := o.p.ConsumeMetrics(context.Background(), md); err != nil {
		return 0, nil, err
	}
	vals := map[string]pmetric.NumberDataPoint{}
	for _, out := range o.sink.AllMetrics() {
		rms := out.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			sms := rms.At(i).ScopeMetrics()
			for j := 0; j < sms.Len(); j++ {
				ms := sms.At(j).Metrics()
				for k := 0; k < ms.Len(); k++ {
					if ms.At(k).Type() == pmetric.MetricTypeGauge && ms.At(k).Gauge().DataPoints().Len() > 0 {
						vals[ms.At(k).Name()] = ms.At(k).Gauge().DataPoints().At(0)
					}
				}
			}
		}
	}
	score := 0.0 // a skipped point (NaN value) has no score
	if dp, ok := vals[regressionprocessor.MetricScore]; ok {
		score = dp.DoubleValue()
	}
	buf := o.buf[:0]
	if o.verbose {
		for _, name := range []string{regressionprocessor.MetricExpected, regressionprocessor.MetricLower, regressionprocessor.MetricUpper} {
			buf = append(buf, ',')
			if dp, ok := vals[name]; ok {
				buf = strconv.AppendFloat(buf, dp.DoubleValue(), 'g', 8, 64)
			}
		}
		var kind, dir, state string
		if dp, ok := vals[regressionprocessor.MetricAnomaly]; ok {
			get := func(k string) string { v, _ := dp.Attributes().Get(k); return v.AsString() }
			kind, dir, state = get(regressionprocessor.AttrKind), get(regressionprocessor.AttrDirection), get(regressionprocessor.AttrState)
		} else if _, ok := vals[regressionprocessor.MetricScore]; ok {
			state = "normal"
		}
		buf = append(buf, ","+kind+","+dir+","+state...)
	}
	o.buf = buf
	return score, buf, nil
}
