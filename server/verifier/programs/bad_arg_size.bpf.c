// SPDX-License-Identifier: GPL-2.0
/* Passes a size that may be negative to a helper. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int bad_arg_size(void *ctx)
{
	char buf[16];
	long n = (long)bpf_get_prandom_u32() - 100;

	if (n > (long)sizeof(buf))
		return 0;
	/* n is at most 16 but can be below zero. */
	bpf_probe_read_kernel(buf, n, ctx); /* fails here */
	return buf[0];
}

char LICENSE[] SEC("license") = "GPL";
