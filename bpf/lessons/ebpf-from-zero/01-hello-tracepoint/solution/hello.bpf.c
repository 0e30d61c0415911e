// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 1: run a function in the kernel each time a process calls
 * execve(), the system call that starts a new program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The section name tells libbpf where to attach: this tracepoint. */
SEC("tracepoint/syscalls/sys_enter_execve")
int handle_execve(void *ctx)
{
	/* The upper 32 bits are the process id; lesson 3 explains why. */
	bpf_printk("hello from pid %d", bpf_get_current_pid_tgid() >> 32);
	return 0;
}

/* bpf_printk() is only allowed in programs with a GPL-compatible license. */
char LICENSE[] SEC("license") = "GPL";
