// SPDX-License-Identifier: GPL-2.0
/*
 * A raw tracepoint sees every syscall entry with its number, cheaper than
 * a classic tracepoint. Count them per syscall number in a hash map.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);	/* syscall number, see ausyscall --dump */
	__type(value, __u64);	/* calls */
} syscall_counts SEC(".maps");

SEC("raw_tp/sys_enter")
int count_syscalls(struct bpf_raw_tracepoint_args *ctx)
{
	/* args[0] is struct pt_regs *, args[1] the syscall number. */
	__u32 nr = ctx->args[1];
	__u64 one = 1, *n;

	n = bpf_map_lookup_elem(&syscall_counts, &nr);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&syscall_counts, &nr, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
