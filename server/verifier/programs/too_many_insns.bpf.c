// SPDX-License-Identifier: GPL-2.0
/* A bounded loop of a million turns: the verifier walks every one. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} total SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int too_many_insns(void *ctx)
{
	__u32 key = 0;
	__u64 *v;
	int i;

	v = bpf_map_lookup_elem(&total, &key);
	if (!v)
		return 0;
	for (i = 0; i < 1000000; i++)
		*(volatile __u64 *)v += i; /* fails here */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
