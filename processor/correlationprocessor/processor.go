package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
)

// instance is one pipeline's view of the shared correlator. The processors
// are written directly (like tail sampling), not with processorhelper: the
// metrics path must stay within a few percent of a pipeline without the
// processor, and the collector's service already counts items in and out
// of every component.
type instance struct {
	c        *correlator
	logsNext consumer.Logs // set for logs instances: an incident output
	once     sync.Once
}

func newInstance(set processor.Settings, cfg *Config) (*instance, error) {
	c, err := acquire(set, cfg)
	if err != nil {
		return nil, err
	}
	return &instance{c: c}, nil
}

// Start starts the shared correlator (once, for the first instance).
func (i *instance) Start(ctx context.Context, host component.Host) error {
	return i.c.start(ctx, host)
}

// Shutdown releases this instance; the last one stops the correlator. It is
// idempotent and safe without Start.
func (i *instance) Shutdown(ctx context.Context) error {
	var err error
	i.once.Do(func() {
		if i.logsNext != nil {
			i.c.removeConsumer(i.logsNext)
		}
		err = i.c.release(ctx)
	})
	return err
}

type metricsProcessor struct {
	*instance
	next consumer.Metrics
}

var _ processor.Metrics = (*metricsProcessor)(nil)

func newMetricsProcessor(set processor.Settings, cfg *Config, next consumer.Metrics) (processor.Metrics, error) {
	i, err := newInstance(set, cfg)
	if err != nil {
		return nil, err
	}
	return &metricsProcessor{instance: i, next: next}, nil
}

func (*metricsProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

// ConsumeMetrics reads anomalies and resources, then passes md on unchanged.
func (p *metricsProcessor) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	p.c.processMetrics(ctx, md)
	return p.next.ConsumeMetrics(ctx, md)
}

type tracesProcessor struct {
	*instance
	next consumer.Traces
}

var _ processor.Traces = (*tracesProcessor)(nil)

func newTracesProcessor(set processor.Settings, cfg *Config, next consumer.Traces) (processor.Traces, error) {
	i, err := newInstance(set, cfg)
	if err != nil {
		return nil, err
	}
	return &tracesProcessor{instance: i, next: next}, nil
}

func (*tracesProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

// ConsumeTraces reads error spans, edges and resources, then passes td on
// unchanged.
func (p *tracesProcessor) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	p.c.processTraces(ctx, td)
	return p.next.ConsumeTraces(ctx, td)
}

type logsProcessor struct {
	*instance
	next    consumer.Logs
	mutates bool
}

var _ processor.Logs = (*logsProcessor)(nil)

func newLogsProcessor(set processor.Settings, cfg *Config, next consumer.Logs) (processor.Logs, error) {
	i, err := newInstance(set, cfg)
	if err != nil {
		return nil, err
	}
	i.logsNext = next
	i.c.addConsumer(next)
	return &logsProcessor{instance: i, next: next, mutates: cfg.DropAbsorbedFindings}, nil
}

func (p *logsProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: p.mutates}
}

// ConsumeLogs classifies the records into findings and passes ld on
// (without the absorbed findings when drop_absorbed_findings is set; an
// emptied batch is not passed on).
func (p *logsProcessor) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if !p.c.processLogs(ctx, ld) {
		return nil
	}
	return p.next.ConsumeLogs(ctx, ld)
}
