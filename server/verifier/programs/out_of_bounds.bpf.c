// SPDX-License-Identifier: GPL-2.0
/* Writes past the end of an 8-byte map value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int out_of_bounds(void *ctx)
{
	__u32 key = 0;
	__u64 *v;

	v = bpf_map_lookup_elem(&slots, &key);
	if (!v)
		return 0;
	/* The value holds one __u64; index 4 is 32 bytes past its start. */
	v[4] = 1; /* fails here */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
