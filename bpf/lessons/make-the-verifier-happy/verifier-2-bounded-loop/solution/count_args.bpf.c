// SPDX-License-Identifier: GPL-2.0
/* Count the arguments of each execve(), up to a bound the verifier can see. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* Enough for the commands a tool cares about; longer lists count as MAX_ARGS. */
#define MAX_ARGS 32

SEC("tracepoint/syscalls/sys_enter_execve")
int count_args(struct trace_event_raw_sys_enter *ctx)
{
	/* execve(filename, argv, envp): argv is an array of pointers in the caller's memory, ending with NULL. */
	const char *const *argv = (const char *const *)ctx->args[1];
	const char *arg;
	int argc = 0;

	for (int i = 0; i < MAX_ARGS; i++) {
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		argc++;
	}
	bpf_printk("execve with argc=%d", argc);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
