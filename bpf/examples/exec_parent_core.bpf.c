// SPDX-License-Identifier: GPL-2.0
/*
 * CO-RE: read task_struct fields with BPF_CORE_READ, so the same object
 * loads on any kernel with BTF. Prints who started each new program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* Only report processes whose parent has this pid; 0 means everyone. */
const volatile pid_t target_ppid = 0;

/* How many exec events were seen, as a global in .bss. */
__u64 exec_count = 0;

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	pid_t ppid = BPF_CORE_READ(task, real_parent, tgid);
	char comm[16];

	if (target_ppid && ppid != target_ppid)
		return 0;

	/* Relocated at load time to this kernel's field offsets. */
	bpf_get_current_comm(&comm, sizeof(comm));
	__sync_fetch_and_add(&exec_count, 1);
	bpf_printk("exec %s pid=%d ppid=%d", comm, bpf_get_current_pid_tgid() >> 32, ppid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
