// SPDX-License-Identifier: GPL-2.0
/*
 * A uprobe runs on entry to a user-space function: here glibc's execve(),
 * which every program calls to start another one. The path names the
 * library; libbpf finds the function's offset in it at attach time.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("uprobe//lib/x86_64-linux-gnu/libc.so.6:execve")
int BPF_KPROBE(execve_entry, const char *filename)
{
	char path[64];

	/* The argument is a user-space pointer in the calling process. */
	bpf_probe_read_user_str(path, sizeof(path), filename);
	bpf_printk("libc execve(%s) from pid %d", path, bpf_get_current_pid_tgid() >> 32);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
