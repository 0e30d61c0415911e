// SPDX-License-Identifier: GPL-2.0
/*
 * Count the arguments of each execve(). The verifier rejects this as it
 * stands: press Run (the verifier takes a second or two to give up) and
 * read the Verifier log.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int count_args(struct trace_event_raw_sys_enter *ctx)
{
	/* execve(filename, argv, envp): argv is an array of pointers in the caller's memory, ending with NULL. */
	const char *const *argv = (const char *const *)ctx->args[1];
	const char *arg;
	int argc = 0;

	for (int i = 0;; i++) {
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		argc++;
	}
	bpf_printk("execve with argc=%d", argc);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
