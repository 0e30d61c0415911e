// SPDX-License-Identifier: GPL-2.0
/* Reads far past the end of a tracepoint's context. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int bad_ctx_access(void *ctx)
{
	__u64 *args = ctx;

	/* A tracepoint record is at most 8 KiB; this reads 16 KiB in. */
	return args[2048] != 0; /* fails here */
}

char LICENSE[] SEC("license") = "GPL";
