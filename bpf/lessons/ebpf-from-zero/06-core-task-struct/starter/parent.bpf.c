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
	/* TODO: get the current task with bpf_get_current_task(). */
	char comm[16];

	bpf_get_current_comm(&comm, sizeof(comm));
	/*
	 * TODO: read the parent's tgid with BPF_CORE_READ(task, real_parent, tgid)
	 *       and add it to the line as "ppid=%d".
	 */
	bpf_printk("exec by %s pid=%d", comm, bpf_get_current_pid_tgid() >> 32);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
