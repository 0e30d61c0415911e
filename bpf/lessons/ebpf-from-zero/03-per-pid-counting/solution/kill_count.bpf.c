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
	/* Upper half: the tgid, which user space calls the pid. */
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *count;

	count = bpf_map_lookup_elem(&kill_count, &pid);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		/* NOEXIST: never overwrite an entry another CPU just made. */
		bpf_map_update_elem(&kill_count, &pid, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
