// SPDX-License-Identifier: GPL-2.0
/* A log2 histogram of how long processes ask to sleep, in microseconds, with every index in bounds. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 32

/* Slot n counts requests of 2^n to 2^(n+1) - 1 microseconds. Globals live in a map: .bss in the Maps pane. */
__u64 hist[MAX_SLOTS];

/* The position of the highest set bit of v: 0 to 63. */
static __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

SEC("tracepoint/syscalls/sys_enter_clock_nanosleep")
int requested_sleep(struct trace_event_raw_sys_enter *ctx)
{
	/* clock_nanosleep(clock, flags, request, remain): the request is a timespec in the caller's memory. */
	struct __kernel_timespec request;
	__u64 us;
	__u32 slot;

	if (bpf_probe_read_user(&request, sizeof(request), (void *)ctx->args[2]))
		return 0;
	us = (__u64)request.tv_sec * 1000000 + (__u64)request.tv_nsec / 1000;
	slot = log2_u64(us);
	/* Requests of 2^32 µs (71 minutes) and longer all count in the last slot. */
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&hist[slot], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
