//go:build ignore
// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)

/*
 * Scheduler latency probes for the ebpf_sched receiver.
 *
 * sched_wakeup / sched_wakeup_new stamp the woken task; sched_switch stamps the
 * task leaving the CPU and turns the stamps of the task entering it into
 * run-queue latency (wakeup or preemption -> on CPU) and off-CPU time
 * (switched out -> on CPU again). Both are aggregated here, in the kernel, into
 * log2 histograms, so userspace only reads a few hundred map entries per
 * scrape however many events happened.
 *
 * Every program exists twice: tp_btf_* (BTF-typed tracepoints, timestamps in
 * task-local storage) and raw_tp_* (raw tracepoints, timestamps in an LRU hash
 * keyed by pid) for kernels or policies where tp_btf cannot attach. The loader
 * picks one set; the shared logic is inlined into both with `btf` constant.
 */

#include "sched.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/*
 * Histogram slot s counts values v with 2^(s-1) < v <= 2^s (slot 0 holds v == 1),
 * which is exactly bucket index s-1 of an OTLP exponential histogram at scale 0
 * (buckets are upper-inclusive there). Zero goes to its own counter.
 */
#define NSLOTS 64
#define ANY_CPU 0xffffffffU
#define NO_CGROUP 0ULL
#define OVERFLOW_CGROUP 0xffffffffffffffffULL
#define TASK_RUNNING 0

enum kind {
	KIND_RUNQ_LATENCY = 0,
	KIND_OFFCPU = 1,
};

enum stat {
	STAT_WAKEUP = 0,
	STAT_WAKEUP_NEW = 1,
	STAT_SWITCH = 2,
	STAT_MAP_FULL = 3,     /* a histogram or counter entry could not be created */
	STAT_LOST = 4,         /* no timestamp slot for a task: the event is not measured */
	STAT_CGROUP_OVERFLOW = 5, /* events of cgroups past max_cgroups, counted under the overflow series */
	STAT_MAX = 6,
};

struct series_key {
	__u64 cgroup; /* NO_CGROUP unless per_cgroup; OVERFLOW_CGROUP past the cap */
	__u32 cpu;    /* ANY_CPU unless per_cpu */
	__u32 kind;   /* enum kind; 0 in the switches map */
};

struct hist {
	__u64 slots[NSLOTS];
	__u64 zero;
	__u64 sum; /* nanoseconds */
};

struct switches {
	__u64 voluntary;
	__u64 involuntary;
};

struct task_ts {
	__u64 wake; /* became runnable (woken or preempted); 0 = not waiting */
	__u64 off;  /* left the CPU; 0 = on CPU or unknown */
};

/* Set by the loader before load; the verifier prunes the disabled branches. */
const volatile bool per_cpu = false;
const volatile bool per_cgroup = false;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ts);
} task_ts SEC(".maps");

/* Fallback for raw_tp: LRU, so exited tasks age out instead of filling it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct task_ts);
} task_ts_by_pid SEC(".maps");

/* max_entries of hists, switches and cgroups are sized by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct series_key);
	__type(value, struct hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct series_key);
	__type(value, struct switches);
} switch_counts SEC(".maps");

/* The cgroups that own a series; its size is the max_cgroups cap. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u8);
} cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Initial values for new entries: too large for the 512-byte BPF stack. */
struct hist zero_hist = {};
struct switches zero_switches = {};

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v += 1; /* per-CPU slot: no atomic needed */
}

static __always_inline __u32 log2_u32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4;
	v >>= r;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? log2_u32(hi) + 32 : log2_u32(v);
}

/* slot_of(v) for v >= 1: ceil(log2(v)), clamped (2^63 ns is 292 years). */
static __always_inline __u32 slot_of(__u64 v)
{
	__u32 s = v == 1 ? 0 : log2_u64(v - 1) + 1;

	return s < NSLOTS ? s : NSLOTS - 1;
}

/* lookup_or_init returns the entry for key, creating it from init if absent. */
static __always_inline void *lookup_or_init(void *map, struct series_key *key, void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	/* Fails with EEXIST when another CPU won the race: the lookup finds it. */
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	v = bpf_map_lookup_elem(map, key);
	if (!v)
		stat_inc(STAT_MAP_FULL);
	return v;
}

static __always_inline void hist_add(__u64 cgroup, __u32 cpu, __u32 kind, __u64 v)
{
	struct series_key key = {.cgroup = cgroup, .cpu = cpu, .kind = kind};
	struct hist *h = lookup_or_init(&hists, &key, &zero_hist);

	if (!h)
		return;
	if (v == 0)
		__sync_fetch_and_add(&h->zero, 1);
	else
		__sync_fetch_and_add(&h->slots[slot_of(v) & (NSLOTS - 1)], 1);
	__sync_fetch_and_add(&h->sum, v);
}

static __always_inline void count_switch(__u64 cgroup, __u32 cpu, bool voluntary)
{
	struct series_key key = {.cgroup = cgroup, .cpu = cpu};
	struct switches *s = lookup_or_init(&switch_counts, &key, &zero_switches);

	if (!s)
		return;
	if (voluntary)
		__sync_fetch_and_add(&s->voluntary, 1);
	else
		__sync_fetch_and_add(&s->involuntary, 1);
}

/* cgroup_of returns the series cgroup of t, admitting new cgroups up to the cap. */
static __always_inline __u64 cgroup_of(struct task_struct *t, const bool btf)
{
	__u64 id;
	__u8 one = 1;

	if (!per_cgroup)
		return NO_CGROUP;
	id = btf ? t->cgroups->dfl_cgrp->kn->id : BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
	if (bpf_map_lookup_elem(&cgroups, &id))
		return id;
	if (bpf_map_update_elem(&cgroups, &id, &one, BPF_NOEXIST) == 0)
		return id;
	if (bpf_map_lookup_elem(&cgroups, &id)) /* inserted by another CPU meanwhile */
		return id;
	stat_inc(STAT_CGROUP_OVERFLOW);
	return OVERFLOW_CGROUP;
}

static __always_inline long task_state(struct task_struct *t, const bool btf)
{
	struct task_struct___pre514 *old = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return btf ? t->__state : BPF_CORE_READ(t, __state);
	return btf ? old->state : BPF_CORE_READ(old, state);
}

static __always_inline struct task_ts *task_ts_get(struct task_struct *t, __u32 pid, const bool btf,
						   const bool create)
{
	struct task_ts *ts, zero = {};

	if (btf)
		return bpf_task_storage_get(&task_ts, t, 0, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	ts = bpf_map_lookup_elem(&task_ts_by_pid, &pid);
	if (ts || !create)
		return ts;
	bpf_map_update_elem(&task_ts_by_pid, &pid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&task_ts_by_pid, &pid);
}

static __always_inline int on_wakeup(struct task_struct *p, __u32 stat, const bool btf)
{
	struct task_ts *ts;
	__u32 pid;

	stat_inc(stat);
	pid = btf ? p->pid : BPF_CORE_READ(p, pid);
	if (!pid) /* the idle task */
		return 0;
	ts = task_ts_get(p, pid, btf, true);
	if (!ts) {
		stat_inc(STAT_LOST);
		return 0;
	}
	ts->wake = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
				     const bool btf)
{
	__u64 now = bpf_ktime_get_ns(), cg;
	__u32 cpu = per_cpu ? bpf_get_smp_processor_id() : ANY_CPU;
	__u32 pid = btf ? prev->pid : BPF_CORE_READ(prev, pid);
	struct task_ts *ts;

	stat_inc(STAT_SWITCH);
	if (pid) { /* switching away from idle is neither voluntary nor a preemption */
		/* A task leaving the CPU still runnable was preempted: it waits in the
		 * run queue from now on, like a woken task. */
		bool runnable = task_state(prev, btf) == TASK_RUNNING;

		count_switch(cgroup_of(prev, btf), cpu, !preempt && !runnable);
		ts = task_ts_get(prev, pid, btf, true);
		if (ts) {
			ts->off = now;
			ts->wake = runnable ? now : 0;
		} else {
			stat_inc(STAT_LOST);
		}
	}

	pid = btf ? next->pid : BPF_CORE_READ(next, pid);
	if (!pid)
		return 0;
	ts = task_ts_get(next, pid, btf, false);
	if (!ts || !(ts->wake | ts->off))
		return 0;
	cg = cgroup_of(next, btf);
	if (ts->wake && now >= ts->wake)
		hist_add(cg, cpu, KIND_RUNQ_LATENCY, now - ts->wake);
	if (ts->off && now >= ts->off)
		hist_add(cg, cpu, KIND_OFFCPU, now - ts->off);
	ts->wake = 0;
	ts->off = 0;
	return 0;
}

/* Tracepoint arguments: sched_wakeup(p), sched_wakeup_new(p),
 * sched_switch(preempt, prev, next[, prev_state since 5.18]). */

SEC("tp_btf/sched_wakeup")
int tp_btf_sched_wakeup(__u64 *ctx)
{
	return on_wakeup((struct task_struct *)ctx[0], STAT_WAKEUP, true);
}

SEC("tp_btf/sched_wakeup_new")
int tp_btf_sched_wakeup_new(__u64 *ctx)
{
	return on_wakeup((struct task_struct *)ctx[0], STAT_WAKEUP_NEW, true);
}

SEC("tp_btf/sched_switch")
int tp_btf_sched_switch(__u64 *ctx)
{
	return on_switch((bool)ctx[0], (struct task_struct *)ctx[1], (struct task_struct *)ctx[2], true);
}

SEC("raw_tp/sched_wakeup")
int raw_tp_sched_wakeup(__u64 *ctx)
{
	return on_wakeup((struct task_struct *)ctx[0], STAT_WAKEUP, false);
}

SEC("raw_tp/sched_wakeup_new")
int raw_tp_sched_wakeup_new(__u64 *ctx)
{
	return on_wakeup((struct task_struct *)ctx[0], STAT_WAKEUP_NEW, false);
}

SEC("raw_tp/sched_switch")
int raw_tp_sched_switch(__u64 *ctx)
{
	return on_switch((bool)ctx[0], (struct task_struct *)ctx[1], (struct task_struct *)ctx[2], false);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
