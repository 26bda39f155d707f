package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottldatapoint"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
)

// rule is what the processor does with one metric name.
type rule struct {
	watched bool
	model   *detector.Model
}

type override struct {
	pats  []*regexp.Regexp
	model *detector.Model
}

// maxCachedNames bounds the per-name decision cache; past it the cache is
// dropped and refilled (names are few in practice).
const maxCachedNames = 16384

// selector decides which metrics are watched and with which model. It is
// safe for concurrent use: requests capture their points concurrently.
type selector struct {
	include, exclude []*regexp.Regexp
	overrides        []override
	def              *detector.Model
	conds            *ottl.ConditionSequence[*ottldatapoint.TransformContext]

	mu    sync.RWMutex
	cache map[string]*rule
}

func newSelector(cfg *Config, set component.TelemetrySettings) (*selector, error) {
	s := &selector{cache: make(map[string]*rule)}
	var err error
	if s.include, err = compileAll(cfg.Metrics.MatchType, cfg.Metrics.Include); err != nil {
		return nil, err
	}
	if s.exclude, err = compileAll(cfg.Metrics.MatchType, cfg.Metrics.Exclude); err != nil {
		return nil, err
	}
	dc, err := cfg.Detection.detectorConfig()
	if err != nil {
		return nil, err
	}
	if s.def, err = detector.New(dc); err != nil {
		return nil, err
	}
	for i := range cfg.Overrides {
		o := &cfg.Overrides[i]
		pats, err := compileAll(cfg.Metrics.MatchType, o.Metrics)
		if err != nil {
			return nil, err
		}
		d := o.apply(cfg.Detection)
		oc, err := d.detectorConfig()
		if err != nil {
			return nil, fmt.Errorf("overrides[%d]: %w", i, err)
		}
		m, err := detector.New(oc)
		if err != nil {
			return nil, err
		}
		s.overrides = append(s.overrides, override{pats: pats, model: m})
	}
	if len(cfg.Metrics.Conditions) > 0 {
		if s.conds, err = parseConditions(cfg.Metrics.Conditions, set); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func compileAll(matchType string, pats []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(pats))
	for _, p := range pats {
		re, err := compilePattern(matchType, p)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %w", p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func matchAny(res []*regexp.Regexp, name string) bool {
	for _, re := range res {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

// rule returns the decision for a metric name, cached.
func (s *selector) rule(name string) *rule {
	s.mu.RLock()
	r, ok := s.cache[name]
	s.mu.RUnlock()
	if ok {
		return r
	}
	r = &rule{}
	// Derived series (this or another regression processor upstream) are
	// never watched: scoring scores would feed back on itself.
	if !strings.HasPrefix(name, "aiops.") && matchAny(s.include, name) && !matchAny(s.exclude, name) {
		r.watched, r.model = true, s.def
		for _, o := range s.overrides {
			if matchAny(o.pats, name) {
				r.model = o.model
				break
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) >= maxCachedNames {
		clear(s.cache)
	}
	s.cache[name] = r
	return r
}

// parseConditions compiles OTTL conditions of the datapoint context (the
// standard converters are available), OR-ed; an evaluation error counts as
// false (error mode ignore).
func parseConditions(conds []string, set component.TelemetrySettings) (*ottl.ConditionSequence[*ottldatapoint.TransformContext], error) {
	if set.Logger == nil {
		set.Logger = zap.NewNop()
	}
	parser, err := ottldatapoint.NewParser(ottlfuncs.StandardConverters[*ottldatapoint.TransformContext](), set)
	if err != nil {
		return nil, err
	}
	parsed, err := parser.ParseConditions(conds)
	if err != nil {
		return nil, err
	}
	seq := ottldatapoint.NewConditionSequence(parsed, set, ottldatapoint.WithConditionSequenceErrorMode(ottl.IgnoreError))
	return &seq, nil
}

// dataPoint is what watchedPoint reads of any pdata data point.
type dataPoint interface {
	Flags() pmetric.DataPointFlags
}

// selectCtx is the pdata a data point's OTTL conditions read.
type selectCtx struct {
	rm pmetric.ResourceMetrics
	sm pmetric.ScopeMetrics
	m  pmetric.Metric
}

// watchedPoint reports whether a data point of a watched metric is
// captured: it has a recorded value and the conditions (if any) select it.
// It is generic so that dp is boxed (an allocation) only for conditions.
func watchedPoint[P dataPoint](p *regressionProcessor, in *selectCtx, dp P) bool {
	if dp.Flags().NoRecordedValue() {
		return false
	}
	if p.sel.conds == nil {
		return true
	}
	tc := ottldatapoint.NewTransformContext(in.rm, in.sm, in.m, dp)
	ok, err := p.sel.conds.Eval(context.Background(), tc)
	tc.Close()
	return err == nil && ok
}

// admit reports whether a captured point is scored: it is not dated after
// the horizon (else its n values — one per quantile for distributions — are
// counted).
func (p *regressionProcessor) admit(ts int64, n int, c *counts) bool {
	if ts > p.horizon {
		c.skipped[skipFuture] += int64(n)
		return false
	}
	return true
}
