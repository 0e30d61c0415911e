// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 2: count execve() calls in a hash map. User space inserts
 * key 0 with value 0 after load and before attach (the lesson's seed);
 * the program only increments that existing entry.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);	/* 0: the one counter user space seeded */
	__type(value, __u64);	/* execve calls seen */
} execve_count SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_execve(void *ctx)
{
	__u32 key = 0;
	__u64 *count;

	/* NULL when user space did not seed the key: then count nothing. */
	count = bpf_map_lookup_elem(&execve_count, &key);
	if (!count)
		return 0;
	/* Atomic, because the handler can run on several CPUs at once. */
	__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
