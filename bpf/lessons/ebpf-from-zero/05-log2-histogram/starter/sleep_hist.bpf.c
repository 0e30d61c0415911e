// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 5: a histogram of how long clock_nanosleep() calls take, in
 * power-of-two buckets of microseconds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 32

/* When each thread entered clock_nanosleep(), in ns since boot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);	/* thread id */
	__type(value, __u64);	/* bpf_ktime_get_ns() at entry */
} start SEC(".maps");

/* Slot k counts calls that took from 2^k to 2^(k+1) - 1 microseconds. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);	/* slot */
	__type(value, __u64);	/* calls */
} hist SEC(".maps");

/* The index of the highest bit set in v (0 for v == 0), without a loop. */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

	/* TODO: halve the range at each step: 32, 16, 8, 4, 2, 1 bits. */
	return r;
}

SEC("tp/syscalls/sys_enter_clock_nanosleep")
int handle_enter(struct trace_event_raw_sys_enter *ctx)
{
	/* Keyed by thread: each thread is in at most one system call. */
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_clock_nanosleep")
int handle_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *tsp;

	tsp = bpf_map_lookup_elem(&start, &tid);
	if (!tsp)
		return 0;	/* entered before the program was attached */

	/*
	 * TODO: compute how long the call took in microseconds,
	 *       from bpf_ktime_get_ns() and *tsp.
	 * TODO: find its slot with log2_u64(); keep it below MAX_SLOTS.
	 * TODO: look the slot up in hist and add 1 atomically.
	 */

	bpf_map_delete_elem(&start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
