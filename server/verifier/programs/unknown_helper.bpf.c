// SPDX-License-Identifier: GPL-2.0
/* Calls a socket-buffer helper from a tracepoint, which has no packet. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int unknown_helper(void *ctx)
{
	char buf[4];

	bpf_skb_load_bytes(ctx, 0, buf, sizeof(buf)); /* fails here */
	return buf[0];
}

char LICENSE[] SEC("license") = "GPL";
