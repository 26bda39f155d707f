package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/canary"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
)

// skipReason is why a selected point was not scored (the `reason` attribute
// of points_skipped).
type skipReason uint8

const (
	skipInvalid skipReason = iota
	skipOutOfOrder
	skipCounterReset
	skipFirstCumulative
	skipEmptyHistogram
	skipFuture
	skipMissingQuantile
	skipCanaryMaxVersions
	skipCanaryMaxGroups
	skipQueueFull
	numSkipReasons
)

var skipReasonNames = [numSkipReasons]string{
	"invalid_value", "out_of_order", "counter_reset", "first_cumulative_point", "empty_histogram",
	"future_timestamp", "missing_quantile", "canary_max_versions", "canary_max_groups", "queue_full",
}

// kindCanary is the anomaly kind of a flagged canary, after the detector
// kinds.
const (
	kindCanary = int(detector.KindPostChange) + 1
	numKinds   = kindCanary + 1
)

func kindName(k int) string {
	if k == kindCanary {
		return "canary"
	}
	return detector.Kind(k).String()
}

// Self-metric attribute sets, built once.
var (
	attrSave    = metric.WithAttributeSet(attribute.NewSet(attribute.String("operation", "save")))
	attrRestore = metric.WithAttributeSet(attribute.NewSet(attribute.String("operation", "restore")))
	attrSkip    = func() (out [numSkipReasons]metric.AddOption) {
		for r, name := range skipReasonNames {
			out[r] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", name)))
		}
		return out
	}()
	attrKinds = func() (out [numKinds]metric.AddOption) {
		for k := range out {
			out[k] = metric.WithAttributeSet(attribute.NewSet(attribute.String("kind", kindName(k))))
		}
		return out
	}()
)

// counts are the per-batch self-metric increments, recorded once per batch.
type counts struct {
	evaluated, compared int64
	skipped             [numSkipReasons]int64
	opened              [numKinds]int64
}

func (p *regressionProcessor) record(ctx context.Context, c *counts, evicted int64) {
	t := p.tel
	if c.evaluated > 0 {
		t.ProcessorRegressionPointsEvaluated.Add(ctx, c.evaluated)
	}
	for r, n := range c.skipped {
		if n > 0 {
			t.ProcessorRegressionPointsSkipped.Add(ctx, n, attrSkip[r])
		}
	}
	for k, n := range c.opened {
		if n > 0 {
			t.ProcessorRegressionAnomaliesOpened.Add(ctx, n, attrKinds[k])
		}
	}
	if c.compared > 0 {
		t.ProcessorRegressionCanaryComparisons.Add(ctx, c.compared)
	}
	if evicted > 0 {
		t.ProcessorRegressionSeriesEvicted.Add(ctx, evicted)
	}
}

// count updates the batch counters and reports whether the verdict was
// evaluated.
func (*regressionProcessor) count(vd *detector.Verdict, c *counts) bool {
	if !c.skip(vd.Skip) {
		return false
	}
	c.evaluated++
	if vd.Decision == detector.DecisionOpen && int(vd.Kind) < kindCanary {
		c.opened[vd.Kind]++
	}
	return true
}

// countCanary updates the batch counters for the tracker's verdict on a
// point; a canary's point counts as evaluated when it entered its window.
func (c *counts) countCanary(cv *canary.Verdict) {
	switch cv.Cap {
	case canary.CapVersions:
		c.skipped[skipCanaryMaxVersions]++
	case canary.CapGroups:
		c.skipped[skipCanaryMaxGroups]++
	}
	if cv.Role == canary.RoleCanary && c.skip(cv.Skip) {
		c.evaluated++
	}
	if cv.Compared {
		c.compared++
	}
	if cv.Decision == detector.DecisionOpen {
		c.opened[kindCanary]++
	}
}

// skip counts a detector skip and reports whether the point was accepted.
func (c *counts) skip(s detector.Skip) bool {
	switch s {
	case detector.SkipInvalid:
		c.skipped[skipInvalid]++
		return false
	case detector.SkipOutOfOrder:
		c.skipped[skipOutOfOrder]++
		return false
	}
	return true
}
