// SPDX-License-Identifier: GPL-2.0
/*
 * Lesson 4: send one record per openat() to user space through a ring
 * buffer: who opened which file.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "open_event.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* bytes: a power of two pages */
} events SEC(".maps");

/*
 * The ring buffer does not say what its records are. Naming the struct
 * once at file scope puts it in the object's BTF, so the Events pane can
 * decode each record as a struct open_event.
 */
const struct open_event *unused_open_event __attribute__((unused));

SEC("tp/syscalls/sys_enter_openat")
int handle_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct open_event *e;

	/* NULL when user space has not kept up and the buffer is full. */
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;

	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	/* openat(dirfd, pathname, ...): args[1] points into the caller's memory. */
	bpf_probe_read_user_str(&e->filename, sizeof(e->filename), (const char *)ctx->args[1]);

	/* Every reserved record must be submitted or discarded. */
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
