// SPDX-License-Identifier: GPL-2.0
/* Waits for a value that never changes: the loop cannot end. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int unbounded_loop(void *ctx)
{
	volatile int ready = 0;

	while (!ready) /* fails here */
		;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
