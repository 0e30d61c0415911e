// SPDX-License-Identifier: GPL-2.0
/*
 * For each new program, print its name and the name of the process that
 * started it. The verifier rejects this as it stands: press Run and read
 * the Verifier log.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/sched/sched_process_exec")
int exec_parent(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *parent = task->real_parent;

	bpf_printk("exec of %s, parent=%s", task->comm, parent->comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
