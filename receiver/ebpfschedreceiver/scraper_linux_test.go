// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"
)

func TestScrapePerCgroupAndCPU(t *testing.T) {
	root := t.TempDir()
	const cid = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	const uid = "2d4e2f6a-9b1c-4c4f-8f3e-1a2b3c4d5e6f"
	podPath := "/kubepods/burstable/pod" + uid + "/" + cid
	require.NoError(t, os.MkdirAll(filepath.Join(root, podPath), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "doomed"), 0o755))
	podID, doomedID := inode(t, filepath.Join(root, podPath)), inode(t, filepath.Join(root, "doomed"))

	cfg := createDefaultConfig().(*Config)
	cfg.PerCPU, cfg.PerCgroup, cfg.CgroupRoot = true, true, root
	snap := loader.Snapshot{
		RunQueueLatency: map[loader.SeriesKey]loader.Histogram{
			{Cgroup: podID, CPU: 0}:                       record(1000),
			{Cgroup: podID, CPU: 1}:                       record(2000, 3000),
			{Cgroup: doomedID, CPU: 0}:                    record(5000),
			{Cgroup: loader.OverflowCgroup, CPU: 1}:       record(7000),
			{Cgroup: 424242 /* never resolved */, CPU: 0}: record(9000),
		},
		Switches: map[loader.SeriesKey]loader.Switches{{Cgroup: podID, CPU: 1}: {Voluntary: 3, Involuntary: 4}},
	}
	p := &fakeProbe{snaps: []loader.Snapshot{snap}}
	s := startWithProbe(t, cfg, p)

	require.NoError(t, os.Remove(filepath.Join(root, "doomed")))
	md, err := s.scrape(context.Background())
	require.NoError(t, err)
	require.Equal(t, 4, md.ResourceMetrics().Len())

	byID := map[int64]pcommon.Map{}
	var overflow pcommon.Map
	for _, rm := range md.ResourceMetrics().All() {
		attrs := rm.Resource().Attributes()
		if v, ok := attrs.Get("aiops.cgroup.overflow"); ok && v.Bool() {
			overflow = attrs
			continue
		}
		id, ok := attrs.Get("aiops.cgroup.id")
		require.True(t, ok)
		byID[id.Int()] = attrs
	}
	pod := byID[int64(podID)]
	require.NotNil(t, pod)
	assert.Equal(t, podPath, pod.AsRaw()["aiops.cgroup.path"])
	assert.Equal(t, cid, pod.AsRaw()["container.id"])
	assert.Equal(t, uid, pod.AsRaw()["k8s.pod.uid"])
	assert.Equal(t, "linux", pod.AsRaw()["os.type"])
	assert.Equal(t, "/doomed", byID[int64(doomedID)].AsRaw()["aiops.cgroup.path"], "a removed cgroup keeps its path in its final point")
	_, hasPath := byID[424242].Get("aiops.cgroup.path")
	assert.False(t, hasPath)
	_, hasID := overflow.Get("aiops.cgroup.id")
	assert.False(t, hasID)
	assert.Equal(t, []uint64{doomedID}, p.forgotten, "only the removed cgroup is retired")

	// Per-CPU points carry cpu.logical_number.
	for _, rm := range md.ResourceMetrics().All() {
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			if m.Name() != metricRunQueueLatency {
				continue
			}
			for _, dp := range m.ExponentialHistogram().DataPoints().All() {
				_, ok := dp.Attributes().Get(attrCPU)
				assert.True(t, ok)
			}
		}
	}
}

func inode(t testing.TB, path string) uint64 {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	return info.Sys().(*syscall.Stat_t).Ino
}
