// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package loader

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// pingPong bounces one byte between two OS threads over blocking pipes: every
// round trip is two wakeups and at least two context switches.
type pingPong struct {
	toEcho, fromEcho [2]int
	done             chan struct{}
}

func newPingPong(tb testing.TB) *pingPong {
	p := &pingPong{done: make(chan struct{})}
	require.NoError(tb, unix.Pipe(p.toEcho[:]))
	require.NoError(tb, unix.Pipe(p.fromEcho[:]))
	go func() {
		defer close(p.done)
		runtime.LockOSThread() // a real thread blocking in read(2), not a parked goroutine
		buf := make([]byte, 1)
		for {
			if n, err := unix.Read(p.toEcho[0], buf); n != 1 || err != nil {
				return
			}
			if _, err := unix.Write(p.fromEcho[1], buf); err != nil {
				return
			}
		}
	}()
	tb.Cleanup(func() {
		_ = unix.Close(p.toEcho[1]) // the echo thread reads EOF and exits
		<-p.done
		for _, fd := range []int{p.toEcho[0], p.fromEcho[0], p.fromEcho[1]} {
			_ = unix.Close(fd)
		}
	})
	return p
}

// run makes n round trips from the calling (locked) thread.
func (p *pingPong) run(n int) {
	buf := []byte{1}
	for range n {
		_, _ = unix.Write(p.toEcho[1], buf)
		_, _ = unix.Read(p.fromEcho[0], buf)
	}
}

// BenchmarkProbeCost reports the kernel's own accounting of the programs'
// run time per event (BPF_ENABLE_STATS, needs CAP_SYS_ADMIN) while a pipe
// ping-pong drives wakeups and switches, and the CPU share that cost would
// take at 20k switches/s (each with its wakeup), of one core and of the machine.
func BenchmarkProbeCost(b *testing.B) {
	for _, mode := range []AttachMode{AttachTPBTF, AttachRawTP} {
		b.Run(mode.String(), func(b *testing.B) {
			requireBPF(b)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			p, err := Open(Options{Mode: mode, RunTimeStats: true})
			require.NoError(b, err)
			defer p.Close()
			pp := newPingPong(b)
			for b.Loop() {
				pp.run(1)
			}
			s, err := p.Read()
			require.NoError(b, err)
			perEvent := func(prog Program) float64 {
				st := s.Programs[prog]
				if !st.RunTimeOK {
					b.Skip("BPF run-time stats unavailable (needs CAP_SYS_ADMIN)")
				}
				return float64(st.RunTime.Nanoseconds()) / float64(st.RunCount)
			}
			wakeup, sw := perEvent(ProgramWakeup), perEvent(ProgramSwitch)
			b.ReportMetric(wakeup, "ns/wakeup")
			b.ReportMetric(sw, "ns/switch")
			core := (wakeup + sw) * 20_000 / 1e9 * 100 // percent of one core
			b.ReportMetric(core, "core%@20kswitch/s")
			b.ReportMetric(core/float64(runtime.NumCPU()), "machine%@20kswitch/s")
		})
	}
}

// BenchmarkPingPongOverhead times the same pipe ping-pong without and with
// the probes attached, alternating in one run so both see the same machine
// load, and reports the ratio. One op is 2000 round trips without and 2000
// with the probes (loading them is not timed).
func BenchmarkPingPongOverhead(b *testing.B) {
	requireBPF(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pp := newPingPong(b)
	const chunk = 2000
	var base, probed time.Duration
	var rounds int
	for b.Loop() {
		t0 := time.Now()
		pp.run(chunk)
		base += time.Since(t0)
		b.StopTimer() // loading is not part of the workload
		p, err := Open(Options{})
		require.NoError(b, err)
		b.StartTimer()
		t0 = time.Now()
		pp.run(chunk)
		probed += time.Since(t0)
		b.StopTimer()
		require.NoError(b, p.Close())
		b.StartTimer()
		rounds++
	}
	n := float64(rounds * chunk)
	b.ReportMetric(float64(base.Nanoseconds())/n, "base-ns/roundtrip")
	b.ReportMetric(float64(probed.Nanoseconds())/n, "probed-ns/roundtrip")
	b.ReportMetric(float64(probed)/float64(base), "probed/base")
}
