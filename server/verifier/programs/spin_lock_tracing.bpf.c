// SPDX-License-Identifier: GPL-2.0
/*
 * Takes a bpf_spin_lock in a tracing program, which the kernel does not allow.
 * It refuses the map before walking any instruction, so no line is marked.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct total {
	struct bpf_spin_lock lock;
	__u64 calls;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct total);
} totals SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int spin_lock_tracing(void *ctx)
{
	__u32 zero = 0;
	struct total *t;

	t = bpf_map_lookup_elem(&totals, &zero);
	if (!t)
		return 0;
	bpf_spin_lock(&t->lock);
	t->calls++;
	bpf_spin_unlock(&t->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
