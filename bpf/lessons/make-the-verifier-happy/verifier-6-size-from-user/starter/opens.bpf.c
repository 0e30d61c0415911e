// SPDX-License-Identifier: GPL-2.0
/*
 * Send one record per file opened, keeping as much of its name as the
 * user asked for. The verifier rejects this as it stands: press Run and
 * read the Verifier log.
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

/* How many bytes of each name to keep: a setting user space writes (this lesson's seed sets it to 200). */
__u32 name_len = 64;

SEC("tracepoint/syscalls/sys_enter_openat")
int opens(struct trace_event_raw_sys_enter *ctx)
{
	struct open_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	/* openat(dirfd, pathname, flags, mode): the path is in the caller's memory. */
	bpf_probe_read_user_str(e->filename, name_len, (const char *)ctx->args[1]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
