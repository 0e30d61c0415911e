// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 6: CO-RE. Read fields of the kernel's own task_struct, so that
 * each new program's line says which process started it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("tp/syscalls/sys_enter_execve")
int handle_execve(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	char comm[16];
	pid_t ppid;

	/*
	 * task->real_parent->tgid, with each offset relocated at load time
	 * to this kernel's layout, and each pointer read safely.
	 */
	ppid = BPF_CORE_READ(task, real_parent, tgid);
	bpf_get_current_comm(&comm, sizeof(comm));
	bpf_printk("exec by %s pid=%d ppid=%d", comm, bpf_get_current_pid_tgid() >> 32, ppid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
