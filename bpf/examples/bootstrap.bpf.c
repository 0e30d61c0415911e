// SPDX-License-Identifier: GPL-2.0
/*
 * A process's life in two events: one when it execs a program, one when it
 * exits, with how long it lived. The exec time waits in a hash map keyed by
 * pid; both events go to user space through one ring buffer. The setting
 * min_duration_ns (const volatile: set before load) keeps only processes
 * that lived at least that long, and then skips the exec events.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "bootstrap.h"

const volatile unsigned long long min_duration_ns = 0;

/* pid -> bpf_ktime_get_ns() at its exec */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, pid_t);
	__type(value, u64);
} exec_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} rb SEC(".maps");

/* The fields every event has: who it is and who started it (a CO-RE read of task_struct). */
static __always_inline void describe_current(struct event *record, pid_t pid)
{
	struct task_struct *self = (struct task_struct *)bpf_get_current_task();

	record->pid = pid;
	record->ppid = BPF_CORE_READ(self, real_parent, tgid);
	bpf_get_current_comm(record->comm, sizeof(record->comm));
}

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	pid_t pid = bpf_get_current_pid_tgid() >> 32;
	u64 now = bpf_ktime_get_ns();
	struct event *record;
	unsigned int where;

	bpf_map_update_elem(&exec_start, &pid, &now, BPF_ANY);
	if (min_duration_ns > 0)
		return 0;

	record = bpf_ringbuf_reserve(&rb, sizeof(*record), 0);
	if (!record)
		return 0;
	describe_current(record, pid);
	record->exit_event = false;
	record->exit_code = 0;
	record->duration_ns = 0;
	/* The path is stored after the tracepoint's fixed fields: its offset is the low 16 bits. */
	where = ctx->__data_loc_filename & 0xffff;
	bpf_probe_read_kernel_str(record->filename, sizeof(record->filename), (void *)ctx + where);
	bpf_ringbuf_submit(record, 0);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_template *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	pid_t pid = id >> 32;
	u64 lived = 0, *started;
	struct task_struct *self;
	struct event *record;

	/* A thread ending is not the process ending. */
	if (pid != (pid_t)id)
		return 0;

	started = bpf_map_lookup_elem(&exec_start, &pid);
	if (started) {
		lived = bpf_ktime_get_ns() - *started;
		bpf_map_delete_elem(&exec_start, &pid);
	} else if (min_duration_ns > 0) {
		return 0; /* its start was not seen: its age is unknown */
	}
	if (lived < min_duration_ns)
		return 0;

	record = bpf_ringbuf_reserve(&rb, sizeof(*record), 0);
	if (!record)
		return 0;
	describe_current(record, pid);
	self = (struct task_struct *)bpf_get_current_task();
	record->exit_event = true;
	record->exit_code = (BPF_CORE_READ(self, exit_code) >> 8) & 0xff;
	record->duration_ns = lived;
	record->filename[0] = '\0';
	bpf_ringbuf_submit(record, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
