// SPDX-License-Identifier: GPL-2.0
/*
 * Uprobes and a USDT probe on the playground's target program, which calls
 * playground_add(round, 2 * round) ten times a second and fires its
 * playground:tick probe after each call. /proc/self/exe is how a tool that
 * probes itself names its own binary; here it names the target program,
 * which the playground starts for this Run and stops with it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

/* On entry: the arguments, read from the registers of the call. */
SEC("uprobe//proc/self/exe:playground_add")
int BPF_UPROBE(add_entry, int a, int b)
{
	bpf_printk("playground_add(%d, %d)", a, b);
	return 0;
}

/* On return: what the function gave back. */
SEC("uretprobe//proc/self/exe:playground_add")
int BPF_URETPROBE(add_return, int sum)
{
	bpf_printk("playground_add returned %d", sum);
	return 0;
}

/* A USDT probe: a marker the program's author put in, with its own arguments. */
SEC("usdt//proc/self/exe:playground:tick")
int BPF_USDT(tick, int round, int sum)
{
	bpf_printk("tick: round %d, sum %d", round, sum);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
