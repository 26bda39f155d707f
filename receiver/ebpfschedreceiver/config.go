// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver"

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/metadata"
)

// What Start does when the host cannot run the probes.
const (
	onUnavailableFail = "fail"
	onUnavailableWarn = "warn"
)

// maxCgroupsLimit bounds max_cgroups: every admitted cgroup costs two
// preallocated histograms (about 1 KiB) per CPU in the kernel.
const maxCgroupsLimit = 16384

// Config configures the ebpf_sched receiver.
type Config struct {
	scraperhelper.ControllerConfig `mapstructure:",squash"`

	// ResourceAttributes enables or disables each resource attribute.
	ResourceAttributes metadata.ResourceAttributesConfig `mapstructure:"resource_attributes"`

	// PerCPU adds a cpu.logical_number series per CPU.
	PerCPU bool `mapstructure:"per_cpu"`
	// PerCgroup emits one resource per cgroup v2, with container.id and
	// k8s.pod.uid when the cgroup path carries them.
	PerCgroup bool `mapstructure:"per_cgroup"`
	// MaxCgroups caps, in the kernel, how many cgroups get their own series;
	// the events of the others go to one overflow series.
	MaxCgroups int `mapstructure:"max_cgroups"`
	// CgroupRoot is where the cgroup v2 hierarchy is mounted; empty means the
	// first cgroup2 mount in /proc/self/mountinfo.
	CgroupRoot string `mapstructure:"cgroup_root"`

	// HostName overrides os.Hostname() for host.name.
	HostName string `mapstructure:"host_name"`

	// OnUnavailable is "fail" (Start fails when the host cannot run the
	// probes: not Linux, no BTF, missing capabilities) or "warn" (one warning
	// naming what is missing, then the receiver emits nothing).
	OnUnavailable string `mapstructure:"on_unavailable"`

	// ProgramRunTime asks the kernel to account the probes' run time
	// (BPF_ENABLE_STATS; needs CAP_SYS_ADMIN, adds two clock reads per event
	// to every BPF program on the host while the receiver runs).
	ProgramRunTime bool `mapstructure:"program_run_time"`
}

// Validate checks the options without touching the host.
func (c *Config) Validate() error {
	var errs []error
	if c.MaxCgroups < 1 || c.MaxCgroups > maxCgroupsLimit {
		errs = append(errs, fmt.Errorf("max_cgroups must be between 1 and %d, got %d", maxCgroupsLimit, c.MaxCgroups))
	}
	switch c.OnUnavailable {
	case onUnavailableFail, onUnavailableWarn:
	default:
		errs = append(errs, fmt.Errorf("on_unavailable must be %q or %q, got %q", onUnavailableFail, onUnavailableWarn, c.OnUnavailable))
	}
	if c.CgroupRoot != "" && !c.PerCgroup {
		errs = append(errs, errors.New("cgroup_root is set but per_cgroup is false; enable per_cgroup or remove cgroup_root"))
	}
	return errors.Join(errs...)
}
