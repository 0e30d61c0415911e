// SPDX-License-Identifier: GPL-2.0
/*
 * Count execve() calls per command name. The verifier rejects this as it
 * stands: press Run and read the Verifier log.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[16]);		/* the comm: a command name of up to 15 characters */
	__type(value, __u64);
} execs_by_comm SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_execs(void *ctx)
{
	char comm[16] = {};
	__u64 zero = 0, *count;

	bpf_get_current_comm(comm, sizeof(comm));
	/* A first entry for this command; BPF_NOEXIST leaves an existing one alone. */
	bpf_map_update_elem(&execs_by_comm, comm, &zero, BPF_NOEXIST);
	count = bpf_map_lookup_elem(&execs_by_comm, comm);
	__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
