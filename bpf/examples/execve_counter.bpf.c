// SPDX-License-Identifier: GPL-2.0
/*
 * Count execve calls in a hash map. The program only increments an entry
 * that already exists, so user space must insert the key "execve_counter"
 * with value 0 after load and before attach (the playground's map seeds).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef __u64 u64;
typedef char stringkey[64];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	stringkey *key;
	__type(value, u64);
} execve_counter SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int bpf_prog(void *ctx)
{
	stringkey key = "execve_counter";
	u64 *v = NULL;

	/* Look the key up; user space seeded it before attach. */
	v = bpf_map_lookup_elem(&execve_counter, &key);
	if (v != NULL)
		*v += 1;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
