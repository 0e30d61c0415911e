// SPDX-License-Identifier: GPL-2.0
/* Falls off the end of the function without setting a return value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#pragma clang diagnostic ignored "-Wreturn-type"

SEC("tracepoint/syscalls/sys_enter_execve")
int missing_return(void *ctx)
{
	volatile int seen = 0;

	seen += 1;
} /* fails here */

char LICENSE[] SEC("license") = "GPL";
