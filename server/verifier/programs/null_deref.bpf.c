// SPDX-License-Identifier: GPL-2.0
/* Uses a map value without checking bpf_map_lookup_elem's result for NULL. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int null_deref(void *ctx)
{
	__u32 key = 0;
	__u64 *v;

	v = bpf_map_lookup_elem(&counts, &key);
	*v += 1; /* fails here */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
