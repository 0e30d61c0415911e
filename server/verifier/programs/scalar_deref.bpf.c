// SPDX-License-Identifier: GPL-2.0
/*
 * Follows a kernel pointer with plain C: bpf_get_current_task() returns a
 * number as far as a tracepoint program's verifier knows, not a pointer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int scalar_deref(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	bpf_printk("parent %d", task->real_parent->tgid); /* fails here */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
