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
	/*
	 * TODO: look up key 0 in execve_count with bpf_map_lookup_elem().
	 * TODO: if the pointer is not NULL, add 1 to the value it points to
	 *       with __sync_fetch_and_add().
	 */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
