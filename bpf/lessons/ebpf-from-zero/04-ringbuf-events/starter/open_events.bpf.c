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
	/*
	 * TODO: reserve a struct open_event in events with
	 *       bpf_ringbuf_reserve(); return 0 if it gives NULL (buffer full).
	 * TODO: fill in pid (upper half of bpf_get_current_pid_tgid()),
	 *       comm (bpf_get_current_comm()) and filename
	 *       (bpf_probe_read_user_str() from ctx->args[1]).
	 * TODO: bpf_ringbuf_submit() the record.
	 */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
