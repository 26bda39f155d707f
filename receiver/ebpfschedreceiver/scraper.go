// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/cgroup"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/metadata"
)

// probe is what the scraper needs of a loaded *loader.Probe.
type probe interface {
	Mode() loader.AttachMode
	FallbackReason() error
	Read() (loader.Snapshot, error)
	Forget(cgroups []uint64) error
	Close() error
}

// programAttrs are built once: one attribute set per program.
var programAttrs = func() map[loader.Program]metric.MeasurementOption {
	m := make(map[loader.Program]metric.MeasurementOption, len(loader.Programs))
	for _, p := range loader.Programs {
		m[p] = metric.WithAttributeSet(attribute.NewSet(attribute.String("program", string(p))))
	}
	return m
}()

type schedScraper struct {
	cfg    *Config
	logger *zap.Logger
	tb     *metadata.TelemetryBuilder
	scope  string // instrumentation scope version

	// Test seams: how probes are opened, the attach mode asked for, where
	// the cgroup2 mount and the machine ID are read from.
	open          func(loader.Options) (probe, error)
	mode          loader.AttachMode
	mountinfoPath string
	machineIDPath string

	probe    probe // nil when not started or disabled by on_unavailable: warn
	resolver *cgroup.Resolver
	host     hostIdentity
	started  pcommon.Timestamp
	last     loader.Snapshot // previous reading, for self-metric deltas
}

type hostIdentity struct {
	name, id string
}

func newScraper(cfg *Config, set receiver.Settings) (*schedScraper, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &schedScraper{
		cfg:    cfg,
		logger: set.Logger,
		tb:     tb,
		scope:  set.BuildInfo.Version,
		open: func(o loader.Options) (probe, error) {
			p, err := loader.Open(o)
			if err != nil {
				return nil, err
			}
			return p, nil
		},
		mountinfoPath: "/proc/self/mountinfo",
		machineIDPath: "/etc/machine-id",
	}, nil
}

func (s *schedScraper) start(_ context.Context, _ component.Host) error {
	p, err := s.open(loader.Options{
		PerCPU:       s.cfg.PerCPU,
		PerCgroup:    s.cfg.PerCgroup,
		MaxCgroups:   s.cfg.MaxCgroups,
		Mode:         s.mode,
		RunTimeStats: s.cfg.ProgramRunTime,
	})
	if err != nil {
		if errors.Is(err, loader.ErrUnavailable) && s.cfg.OnUnavailable == onUnavailableWarn {
			s.logger.Warn("ebpf_sched receiver disabled, it will emit nothing (on_unavailable: warn)", zap.Error(err))
			return nil
		}
		return err
	}
	if reason := p.FallbackReason(); reason != nil {
		s.tb.EbpfSchedAttachFallback.Add(context.Background(), 1)
		s.logger.Info("ebpf_sched: tp_btf unavailable, attached as raw_tp (pid-keyed timestamps, about 3x the cost per event)", zap.Error(reason))
	}
	if s.cfg.PerCgroup {
		if s.resolver, err = s.newResolver(); err != nil {
			return errors.Join(err, p.Close())
		}
	}
	s.probe = p
	s.host = s.hostIdentity()
	s.started = pcommon.NewTimestampFromTime(time.Now())
	s.logger.Info("ebpf_sched: probes attached", zap.Stringer("mode", p.Mode()),
		zap.Bool("per_cpu", s.cfg.PerCPU), zap.Bool("per_cgroup", s.cfg.PerCgroup))
	return nil
}

func (s *schedScraper) newResolver() (*cgroup.Resolver, error) {
	root := s.cfg.CgroupRoot
	if root == "" {
		f, err := os.Open(s.mountinfoPath)
		if err != nil {
			return nil, fmt.Errorf("ebpf_sched: finding the cgroup2 mount: %w", err)
		}
		root, err = cgroup.FindRoot(f)
		_ = f.Close() // read-only
		if err != nil {
			return nil, fmt.Errorf("ebpf_sched: %w", err)
		}
	}
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("ebpf_sched: cgroup_root: %w (mount the host's cgroup v2 hierarchy there, or fix cgroup_root)", err)
	}
	r := cgroup.NewResolver(root)
	return r, r.Refresh()
}

func (s *schedScraper) hostIdentity() hostIdentity {
	h := hostIdentity{name: s.cfg.HostName}
	if h.name == "" {
		h.name, _ = os.Hostname()
	}
	// host.id is optional: containers often lack /etc/machine-id.
	if b, err := os.ReadFile(s.machineIDPath); err == nil {
		h.id = strings.TrimSpace(string(b))
	}
	return h
}

func (s *schedScraper) scrape(ctx context.Context) (pmetric.Metrics, error) {
	if s.probe == nil {
		return pmetric.NewMetrics(), nil
	}
	snap, err := s.probe.Read()
	if err != nil {
		s.tb.EbpfSchedScrapeErrors.Add(ctx, 1)
		return pmetric.NewMetrics(), fmt.Errorf("ebpf_sched: %w", err)
	}
	s.recordSelfMetrics(ctx, snap)
	if s.resolver != nil {
		if err := s.resolver.Refresh(); err != nil {
			// Series still go out, keyed by cgroup ID with the paths of the last scan.
			s.tb.EbpfSchedScrapeErrors.Add(ctx, 1)
			s.logger.Warn("ebpf_sched: cgroup paths not refreshed", zap.Error(err))
		}
	}
	md, gone := s.emit(snap, pcommon.NewTimestampFromTime(time.Now()))
	if len(gone) > 0 {
		// Their final values are in md; free their place under the cap.
		if err := s.probe.Forget(gone); err != nil {
			s.tb.EbpfSchedScrapeErrors.Add(ctx, 1)
			s.logger.Warn("ebpf_sched: retiring series of removed cgroups", zap.Error(err))
		} else {
			s.resolver.Drop(gone)
		}
	}
	return md, nil
}

// recordSelfMetrics turns the cumulative kernel counters into counter increments.
func (s *schedScraper) recordSelfMetrics(ctx context.Context, snap loader.Snapshot) {
	for _, p := range loader.Programs {
		cur, prev := snap.Programs[p], s.last.Programs[p]
		s.tb.EbpfSchedEvents.Add(ctx, delta(cur.Events, prev.Events), programAttrs[p])
		if cur.RunTimeOK {
			s.tb.EbpfSchedProgramRunTime.Add(ctx, delta(uint64(cur.RunTime), uint64(prev.RunTime)), programAttrs[p])
			s.tb.EbpfSchedProgramRuns.Add(ctx, delta(cur.RunCount, prev.RunCount), programAttrs[p])
		}
	}
	s.tb.EbpfSchedMapFull.Add(ctx, delta(snap.MapFull, s.last.MapFull))
	s.tb.EbpfSchedEventsLost.Add(ctx, delta(snap.Lost, s.last.Lost))
	s.tb.EbpfSchedCgroupOverflow.Add(ctx, delta(snap.CgroupOverflow, s.last.CgroupOverflow))
	s.last = snap
}

// delta of two readings of a kernel counter. Run-time accounting restarts
// when another holder of BPF_ENABLE_STATS toggles it, hence the guard.
func delta(cur, prev uint64) int64 {
	if cur < prev {
		return int64(cur) //nolint:gosec // kernel counters stay far below 2^63
	}
	return int64(cur - prev) //nolint:gosec // as above
}

func (s *schedScraper) shutdown(context.Context) error {
	s.tb.Shutdown()
	if s.probe == nil {
		return nil
	}
	err := s.probe.Close()
	s.probe = nil
	return err
}
