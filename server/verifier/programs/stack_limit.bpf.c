// SPDX-License-Identifier: GPL-2.0
/*
 * Two functions, each under 512 bytes of stack, one calling the other: on
 * that call path they need more than 512 together. clang checks each
 * function alone; the verifier adds them up after its walk, so the log
 * names no line.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int first_byte(const void *user_path)
{
	char copy[300];

	if (bpf_probe_read_user_str(copy, sizeof(copy), user_path) < 0)
		return 0;
	return copy[0];
}

SEC("tracepoint/syscalls/sys_enter_openat")
int stack_limit(__u64 *ctx)
{
	char name[300];

	if (bpf_probe_read_user_str(name, sizeof(name), (const void *)ctx[3]) < 0)
		return 0;
	return first_byte((const void *)ctx[3]) + name[1];
}

char LICENSE[] SEC("license") = "GPL";
