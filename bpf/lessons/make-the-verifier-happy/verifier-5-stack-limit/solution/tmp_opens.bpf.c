// SPDX-License-Identifier: GPL-2.0
/*
 * Send one record to user space for each file opened under /tmp/, built in
 * the ring buffer itself: nothing big on the stack.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "open_event.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Names the record's type in the object's BTF, so the Events pane decodes each record as a struct open_event. */
const struct open_event *unused_open_event __attribute__((unused));

/* Tests a path already copied into the program's memory: no buffer of its own. */
static bool under_tmp(const char *path)
{
	return path[0] == '/' && path[1] == 't' && path[2] == 'm' && path[3] == 'p' && path[4] == '/';
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tmp_opens(struct trace_event_raw_sys_enter *ctx)
{
	/* The record's memory, in the ring buffer; NULL when user space has not kept up. */
	struct open_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	/* openat(dirfd, pathname, flags, mode): the path is in the caller's memory. */
	if (bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[1]) < 0 || !under_tmp(e->filename)) {
		/* A reserved record must be submitted or discarded. */
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
