// SPDX-License-Identifier: GPL-2.0
/*
 * Count openat() calls on the whole machine, from every CPU at once. The
 * kernel rejects this as it stands: press Run and read the Verifier log.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct counter {
	struct bpf_spin_lock lock;
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
	/* Two CPUs may run this at the same moment: take the lock around the update. */
	bpf_spin_lock(&c->lock);
	c->opens++;
	bpf_spin_unlock(&c->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
