// SPDX-License-Identifier: GPL-2.0
/*
 * Send one record to user space for each file opened under /tmp/. The
 * verifier rejects this as it stands: press Run and read the Verifier log.
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

/* A function of its own, called with a BPF-to-BPF call: noinline keeps it from being merged into its caller. */
static __attribute__((noinline)) bool under_tmp(const char *user_path)
{
	char path[256];

	if (bpf_probe_read_user_str(path, sizeof(path), user_path) < 0)
		return false;
	return path[0] == '/' && path[1] == 't' && path[2] == 'm' && path[3] == 'p' && path[4] == '/';
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tmp_opens(struct trace_event_raw_sys_enter *ctx)
{
	/* openat(dirfd, pathname, flags, mode): the path is in the caller's memory. */
	const char *user_path = (const char *)ctx->args[1];
	struct open_event event = {};

	if (!under_tmp(user_path))
		return 0;
	event.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(event.comm, sizeof(event.comm));
	bpf_probe_read_user_str(event.filename, sizeof(event.filename), user_path);
	bpf_ringbuf_output(&events, &event, sizeof(event), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
