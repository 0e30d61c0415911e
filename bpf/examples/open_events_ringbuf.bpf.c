// SPDX-License-Identifier: GPL-2.0
/*
 * Send one record per openat() to user space through a ring buffer,
 * and count what was sent and what did not fit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "open_events_ringbuf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/*
 * Names the record type once at file scope, so it is in the object's BTF:
 * user space (and the playground's Events pane) decode records with it.
 */
const struct open_event *unused_open_event __attribute__((unused));

/* Slot 0 counts records sent, slot 1 records dropped because the buffer was full. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

SEC("tp/syscalls/sys_enter_openat")
int handle_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct open_event *e;
	__u32 slot = 0;
	__u64 *n;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		slot = 1;
	n = bpf_map_lookup_elem(&stats, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	if (!e)
		return 0;

	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(&e->filename, sizeof(e->filename), (const char *)ctx->args[1]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
