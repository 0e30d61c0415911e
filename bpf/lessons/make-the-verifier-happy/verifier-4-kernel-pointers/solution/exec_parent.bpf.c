// SPDX-License-Identifier: GPL-2.0
/*
 * For each new program, print its name and the name of the process that
 * started it, reading the kernel's task_struct with CO-RE.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("tracepoint/sched/sched_process_exec")
int exec_parent(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	char comm[16], parent_comm[16];

	/* Each step is a bpf_probe_read_kernel() at the offset this kernel has for the field. */
	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	BPF_CORE_READ_STR_INTO(&parent_comm, task, real_parent, comm);
	bpf_printk("exec of %s, parent=%s", comm, parent_comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
