// SPDX-License-Identifier: GPL-2.0
/* Calls a GPL-only helper from a program whose license is not GPL-compatible. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int gpl_only(void *ctx)
{
	long value = 0;

	bpf_probe_read_kernel(&value, sizeof(value), ctx); /* fails here */
	return value == 0;
}

char LICENSE[] SEC("license") = "Proprietary";
