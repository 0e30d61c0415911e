// SPDX-License-Identifier: GPL-2.0
/* Count openat() calls on the whole machine, from every CPU at once, with an atomic add. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* No bpf_spin_lock in the value: a tracing program may not use a map whose value holds one. */
struct counter {
	__u64 opens;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} open_count SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int count_opens(void *ctx)
{
	__u32 zero = 0;
	struct counter *c = bpf_map_lookup_elem(&open_count, &zero);

	if (!c)
		return 0;
	/* One atomic instruction: two CPUs adding at once both count. */
	__sync_fetch_and_add(&c->opens, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
