/**
 * Editing help for BPF C, as plain data: hover text for common helpers and
 * macros, and completion snippets for SEC() names, programs and maps. The
 * editor (app/features/editor/monaco.ts) turns these into Monaco providers.
 */

export interface HelperDoc {
  name: string;
  /** The C prototype (or the macro's shape). */
  signature: string;
  /** What it does, in one sentence. */
  meaning: string;
  /** Which program types may call it. */
  programTypes: string;
  /** Anything a learner trips on (the NULL check, the playground's policy). */
  note?: string;
}

const ANY = 'Any program type.';
const TRACING = 'Tracing programs: kprobe/uprobe, tracepoint, raw_tp, tp_btf, fentry/fexit, perf_event.';
const TRACING_GPL = `${TRACING} GPL-only: the program's LICENSE must be GPL-compatible.`;

export const HELPERS: HelperDoc[] = [
  {
    name: 'bpf_map_lookup_elem',
    signature: 'void *bpf_map_lookup_elem(void *map, const void *key)',
    meaning: 'Finds key in map and returns a pointer to its value, or NULL when the key is not there.',
    programTypes: ANY,
    note: 'Check the result for NULL before using it: the verifier rejects a dereference it cannot prove safe.',
  },
  {
    name: 'bpf_map_update_elem',
    signature: 'long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)',
    meaning: 'Creates or replaces the entry for key; flags is BPF_ANY, BPF_NOEXIST (only create) or BPF_EXIST (only replace). Returns 0 or a negative error.',
    programTypes: ANY,
  },
  {
    name: 'bpf_map_delete_elem',
    signature: 'long bpf_map_delete_elem(void *map, const void *key)',
    meaning: 'Removes the entry for key from a hash-type map. Returns 0, or -ENOENT when it was not there.',
    programTypes: ANY,
    note: 'Array maps cannot delete entries (-EINVAL): every index always exists.',
  },
  {
    name: 'bpf_printk',
    signature: 'bpf_printk(const char *fmt, ...)',
    meaning: 'A macro over bpf_trace_printk: formats up to three arguments into the kernel trace buffer, which the Output tab shows.',
    programTypes: TRACING_GPL,
    note: 'For debugging only: it is slow, and the format supports few conversions (%d %u %x %s %p and friends). Stream data to user space with a ring buffer instead.',
  },
  {
    name: 'bpf_trace_printk',
    signature: 'long bpf_trace_printk(const char *fmt, __u32 fmt_size, ...)',
    meaning: 'Writes a formatted line (up to three arguments) to the kernel trace buffer; bpf_printk is the easier way to call it.',
    programTypes: TRACING_GPL,
  },
  {
    name: 'bpf_get_current_pid_tgid',
    signature: '__u64 bpf_get_current_pid_tgid(void)',
    meaning: "The current task's ids: the upper 32 bits are the tgid (what user space calls the PID), the lower 32 the thread id.",
    programTypes: `${TRACING} Also cgroup and some socket programs.`,
    note: 'The PID as `ps` shows it is `bpf_get_current_pid_tgid() >> 32`.',
  },
  {
    name: 'bpf_get_current_uid_gid',
    signature: '__u64 bpf_get_current_uid_gid(void)',
    meaning: "The current task's ids: the upper 32 bits are the gid, the lower 32 the uid.",
    programTypes: `${TRACING} Also cgroup programs.`,
  },
  {
    name: 'bpf_get_current_comm',
    signature: 'long bpf_get_current_comm(void *buf, __u32 size_of_buf)',
    meaning: "Copies the current task's command name (at most 16 bytes with the NUL, TASK_COMM_LEN) into buf.",
    programTypes: `${TRACING} Also cgroup programs.`,
  },
  {
    name: 'bpf_ktime_get_ns',
    signature: '__u64 bpf_ktime_get_ns(void)',
    meaning: 'Nanoseconds since boot on the monotonic clock (not counting suspend): subtract two readings to time something.',
    programTypes: ANY,
  },
  {
    name: 'bpf_probe_read_kernel',
    signature: 'long bpf_probe_read_kernel(void *dst, __u32 size, const void *unsafe_ptr)',
    meaning: 'Copies size bytes from a kernel address into dst; on a fault dst is zeroed and a negative error returned.',
    programTypes: TRACING_GPL,
    note: 'With vmlinux.h and CO-RE, BPF_CORE_READ is usually simpler and survives kernel changes.',
  },
  {
    name: 'bpf_probe_read_user',
    signature: 'long bpf_probe_read_user(void *dst, __u32 size, const void *unsafe_ptr)',
    meaning: 'Copies size bytes from a user-space address of the current process into dst; on a fault dst is zeroed.',
    programTypes: TRACING_GPL,
  },
  {
    name: 'bpf_probe_read_kernel_str',
    signature: 'long bpf_probe_read_kernel_str(void *dst, __u32 size, const void *unsafe_ptr)',
    meaning: 'Copies a NUL-terminated string from kernel memory, at most size bytes with the NUL; returns its length including the NUL.',
    programTypes: TRACING_GPL,
  },
  {
    name: 'bpf_probe_read_user_str',
    signature: 'long bpf_probe_read_user_str(void *dst, __u32 size, const void *unsafe_ptr)',
    meaning: "Copies a NUL-terminated string from user memory (a syscall's path argument, say), at most size bytes; returns its length including the NUL.",
    programTypes: TRACING_GPL,
  },
  {
    name: 'bpf_ringbuf_reserve',
    signature: 'void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags)',
    meaning: 'Reserves size bytes in a BPF_MAP_TYPE_RINGBUF map and returns a pointer to fill in, or NULL when the buffer is full.',
    programTypes: ANY,
    note: 'Check for NULL, then always bpf_ringbuf_submit or bpf_ringbuf_discard the pointer: the verifier rejects a path that leaks it.',
  },
  {
    name: 'bpf_ringbuf_submit',
    signature: 'void bpf_ringbuf_submit(void *data, __u64 flags)',
    meaning: 'Hands a reserved record to user space (the Events tab shows it).',
    programTypes: ANY,
  },
  {
    name: 'bpf_ringbuf_discard',
    signature: 'void bpf_ringbuf_discard(void *data, __u64 flags)',
    meaning: 'Gives a reserved record back without sending it.',
    programTypes: ANY,
  },
  {
    name: 'bpf_ringbuf_output',
    signature: 'long bpf_ringbuf_output(void *ringbuf, void *data, __u64 size, __u64 flags)',
    meaning: 'Copies size bytes from data into the ring buffer as one record: reserve, copy and submit in one call.',
    programTypes: ANY,
  },
  {
    name: 'bpf_perf_event_output',
    signature: 'long bpf_perf_event_output(void *ctx, void *map, __u64 flags, void *data, __u64 size)',
    meaning: "Sends data as one record to a BPF_MAP_TYPE_PERF_EVENT_ARRAY; flags BPF_F_CURRENT_CPU picks this CPU's buffer.",
    programTypes: `${TRACING} Also tc and xdp programs.`,
    note: 'A ring buffer (bpf_ringbuf_output) keeps records in order across CPUs and wastes less memory.',
  },
  {
    name: 'bpf_get_current_task',
    signature: '__u64 bpf_get_current_task(void)',
    meaning: 'The address of the current task_struct, as a number: read its fields with BPF_CORE_READ or bpf_probe_read_kernel.',
    programTypes: TRACING_GPL,
    note: 'bpf_get_current_task_btf() returns a typed pointer the verifier lets you dereference directly (tp_btf, fentry).',
  },
  {
    name: 'bpf_get_current_task_btf',
    signature: 'struct task_struct *bpf_get_current_task_btf(void)',
    meaning: 'The current task_struct as a BTF-typed pointer, whose fields can be read directly.',
    programTypes: 'BTF-enabled tracing programs: tp_btf, fentry/fexit, lsm, iter. GPL-only.',
  },
  {
    name: 'BPF_CORE_READ',
    signature: 'BPF_CORE_READ(src, field, subfield, ...)',
    meaning: 'Follows a chain of pointers and fields (src->field->subfield…) with CO-RE relocations, so the offsets are fixed up for the running kernel.',
    programTypes: `${ANY} Needs vmlinux.h (or preserve_access_index types) and <bpf/bpf_core_read.h>.`,
    note: 'BPF_CORE_READ_STR_INTO reads a string at the end of such a chain.',
  },
  {
    name: 'bpf_get_smp_processor_id',
    signature: '__u32 bpf_get_smp_processor_id(void)',
    meaning: 'The id of the CPU the program is running on.',
    programTypes: ANY,
  },
  {
    name: 'bpf_get_prandom_u32',
    signature: '__u32 bpf_get_prandom_u32(void)',
    meaning: 'A pseudo-random 32-bit number, for sampling (not for cryptography).',
    programTypes: ANY,
  },
  {
    name: 'bpf_loop',
    signature: 'long bpf_loop(__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags)',
    meaning: 'Calls callback_fn(index, callback_ctx) up to nr_loops times (at most 1 << 23); the callback returns 0 to go on, 1 to stop.',
    programTypes: `${ANY} Kernel 5.17 or later.`,
    note: 'The verifier checks the callback once instead of unrolling the loop: the way to iterate many times.',
  },
  {
    name: 'bpf_get_stackid',
    signature: 'long bpf_get_stackid(void *ctx, void *map, __u64 flags)',
    meaning: 'Walks the current stack and stores it in a BPF_MAP_TYPE_STACK_TRACE map, returning its id; BPF_F_USER_STACK takes the user-space stack.',
    programTypes: TRACING,
  },
  {
    name: 'bpf_tail_call',
    signature: 'long bpf_tail_call(void *ctx, void *prog_array_map, __u32 index)',
    meaning: 'Jumps to the program at index of a BPF_MAP_TYPE_PROG_ARRAY and never returns; falls through when the slot is empty.',
    programTypes: ANY,
  },
  {
    name: 'bpf_send_signal',
    signature: 'long bpf_send_signal(__u32 sig)',
    meaning: 'Sends signal sig to the process of the current task.',
    programTypes: TRACING,
    note: "The playground refuses programs that call it: a shared machine's processes are not yours to signal.",
  },
  {
    name: 'bpf_probe_write_user',
    signature: 'long bpf_probe_write_user(void *dst, const void *src, __u32 len)',
    meaning: "Writes into the current process's memory.",
    programTypes: TRACING_GPL,
    note: 'The playground refuses programs that call it, and a locked-down kernel refuses it too.',
  },
];

const BY_NAME = new Map(HELPERS.map((h) => [h.name, h]));

/** The doc for a word under the cursor; bpf_trace_vprintk and friends are not covered. */
export function helperDoc(word: string): HelperDoc | null {
  return BY_NAME.get(word) ?? null;
}

/** Markdown for a hover: the prototype, what it does, who may call it, the pitfall. */
export function helperMarkdown(doc: HelperDoc): string[] {
  const parts = [`\`\`\`c\n${doc.signature}\n\`\`\``, doc.meaning, `**Program types:** ${doc.programTypes}`];
  if (doc.note) parts.push(doc.note);
  return parts;
}

export interface Snippet {
  /** What the completion list shows. */
  label: string;
  /** Monaco snippet syntax: ${1:placeholder}, ${0} for the final cursor. */
  body: string;
  detail: string;
}

/** Section names, offered inside SEC("…"). */
export const SECTION_SNIPPETS: Snippet[] = [
  {
    label: 'tracepoint/syscalls/sys_enter_*',
    body: 'tracepoint/syscalls/sys_enter_${1:openat}',
    detail: 'A syscall entry tracepoint: ctx is struct trace_event_raw_sys_enter *',
  },
  {
    label: 'tracepoint/syscalls/sys_exit_*',
    body: 'tracepoint/syscalls/sys_exit_${1:openat}',
    detail: 'A syscall exit tracepoint: ctx is struct trace_event_raw_sys_exit *',
  },
  { label: 'tracepoint/sched/sched_process_exec', body: 'tracepoint/sched/sched_process_exec', detail: 'A program started (after execve succeeded)' },
  { label: 'raw_tp/', body: 'raw_tp/${1:sys_enter}', detail: 'A raw tracepoint: the arguments as the kernel passes them (ctx->args[])' },
  { label: 'tp_btf/', body: 'tp_btf/${1:sched_process_exec}', detail: 'A BTF-typed tracepoint: typed arguments, direct field reads' },
  {
    label: 'uprobe//path:func',
    body: 'uprobe/${1:/lib/x86_64-linux-gnu/libc.so.6}:${2:getpid}',
    detail: 'Entry to a user-space function: library path, then the function',
  },
  { label: 'uretprobe//path:func', body: 'uretprobe/${1:/lib/x86_64-linux-gnu/libc.so.6}:${2:getpid}', detail: 'Return from a user-space function' },
  { label: 'kprobe/', body: 'kprobe/${1:do_sys_openat2}', detail: 'Entry to a kernel function (needs kprobes on the host)' },
  { label: 'kretprobe/', body: 'kretprobe/${1:do_sys_openat2}', detail: 'Return from a kernel function (needs kprobes on the host)' },
];

/** Whole programs and map definitions, offered where a declaration may start. */
export const CODE_SNIPPETS: Snippet[] = [
  {
    label: 'SEC tracepoint program',
    detail: 'A program on a syscall entry tracepoint',
    body: programBody('tracepoint/syscalls/sys_enter_${1:openat}', 'int ${2:handle_${1}}(struct trace_event_raw_sys_enter *ctx)'),
  },
  {
    label: 'SEC raw_tp program',
    detail: 'A program on a raw tracepoint',
    body: programBody('raw_tp/${1:sys_enter}', 'int ${2:handle_raw}(struct bpf_raw_tracepoint_args *ctx)'),
  },
  {
    label: 'SEC tp_btf program',
    detail: 'A program on a BTF-typed tracepoint (needs <bpf/bpf_tracing.h>)',
    body: programBody('tp_btf/${1:sched_process_exec}', 'int BPF_PROG(${2:handle_exec}, struct task_struct *p)'),
  },
  {
    label: 'SEC uprobe program',
    detail: 'A program on a user-space function (needs <bpf/bpf_tracing.h>)',
    body: programBody('uprobe/${1:/lib/x86_64-linux-gnu/libc.so.6}:${2:getpid}', 'int BPF_KPROBE(${3:handle_${2}})'),
  },
  {
    label: 'SEC kprobe program',
    detail: 'A program on a kernel function (needs <bpf/bpf_tracing.h> and kprobes on the host)',
    body: programBody('kprobe/${1:do_sys_openat2}', 'int BPF_KPROBE(${2:handle_${1}})'),
  },
  {
    label: 'map hash',
    detail: 'BPF_MAP_TYPE_HASH: keys to values, created as needed',
    body: mapBody('BPF_MAP_TYPE_HASH', '${2:10240}', '${3:__u32}', '${4:__u64}', '${1:counts}'),
  },
  {
    label: 'map array',
    detail: 'BPF_MAP_TYPE_ARRAY: a fixed array indexed by __u32, zero-filled',
    body: mapBody('BPF_MAP_TYPE_ARRAY', '${2:16}', '__u32', '${3:__u64}', '${1:values}'),
  },
  {
    label: 'map percpu_array',
    detail: 'BPF_MAP_TYPE_PERCPU_ARRAY: one array per CPU, no atomics needed',
    body: mapBody('BPF_MAP_TYPE_PERCPU_ARRAY', '${2:1}', '__u32', '${3:__u64}', '${1:per_cpu}'),
  },
  {
    label: 'map ringbuf',
    detail: 'BPF_MAP_TYPE_RINGBUF: records to user space (the Events tab)',
    body: ['struct {', '\t__uint(type, BPF_MAP_TYPE_RINGBUF);', '\t__uint(max_entries, ${2:256 * 1024});', '} ${1:events} SEC(".maps");'].join('\n'),
  },
];

/** A program snippet: its SEC() line, its signature, and an empty body that returns 0. */
function programBody(section: string, signature: string): string {
  return [`SEC("${section}")`, signature, '{', '\t${0}', '\treturn 0;', '}'].join('\n');
}

function mapBody(type: string, maxEntries: string, key: string, value: string, name: string): string {
  return [
    'struct {',
    `\t__uint(type, ${type});`,
    `\t__uint(max_entries, ${maxEntries});`,
    `\t__type(key, ${key});`,
    `\t__type(value, ${value});`,
    `} ${name} SEC(".maps");`,
  ].join('\n');
}

/**
 * Where the cursor is inside an unfinished SEC("…"): the column (1-based)
 * where the section name starts, or null when it is not in one.
 */
export function sectionStart(lineBeforeCursor: string): number | null {
  const match = /\bSEC\(\s*"([^"]*)$/.exec(lineBeforeCursor);
  return match ? lineBeforeCursor.length - match[1]!.length + 1 : null;
}
