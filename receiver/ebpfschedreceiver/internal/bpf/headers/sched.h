/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The few kernel types and UAPI constants sched.bpf.c needs, written by hand
 * instead of a multi-megabyte vmlinux.h dumped from one kernel: every struct
 * lists only the fields the programs read and carries preserve_access_index,
 * so libbpf-style CO-RE relocations resolve the real offsets against the
 * running kernel's BTF at load time. Generation therefore does not depend on
 * the kernel of the machine that runs `go generate`.
 */
#ifndef __SCHED_H
#define __SCHED_H

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

/* UAPI values (include/uapi/linux/bpf.h); stable kernel ABI. */
enum {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_TASK_STORAGE = 29,
};
enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
};
enum {
	BPF_F_NO_PREALLOC = 1,
};
enum {
	BPF_LOCAL_STORAGE_GET_F_CREATE = 1,
};

struct kernfs_node {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));

struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));

struct task_struct {
	unsigned int __state; /* since 5.14 */
	int pid;
	struct css_set *cgroups;
} __attribute__((preserve_access_index));

/* Before 5.14 the run state was `volatile long state`. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

#endif /* __SCHED_H */
