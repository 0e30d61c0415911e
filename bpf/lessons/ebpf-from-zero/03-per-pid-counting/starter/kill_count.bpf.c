// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 3: count kill() system calls per process, in a hash map keyed
 * by process id. The program creates each entry the first time it sees
 * a process, so user space seeds nothing.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);	/* process id (tgid) */
	__type(value, __u64);	/* kill() calls made by it */
} kill_count SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_kill")
int handle_kill(void *ctx)
{
	/*
	 * TODO: get the process id: the upper 32 bits of
	 *       bpf_get_current_pid_tgid().
	 * TODO: look it up in kill_count. If found, add 1 atomically;
	 *       if not, insert the value 1 with BPF_NOEXIST.
	 */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
