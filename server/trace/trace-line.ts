import type { TraceLine } from '../../protocol/messages.ts';

// "           bash-1234    [001] d..31  5678.123456: bpf_trace_printk: invoke bpf_prog: Hello"
// The comm may hold spaces and dashes, so the pid is the last "-digits" before the CPU column.
const PRINTK = /^\s*(.*)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+\S+\s+(\d+\.\d+):\s+bpf_trace_printk:\s?(.*)$/;

/**
 * Parses one trace_pipe line. A line that is not a printk header (the rest of
 * a message holding "\n") continues the previous line and takes its columns.
 */
export function parseTraceLine(raw: string, previous: TraceLine | null): TraceLine | null {
  const match = PRINTK.exec(raw);
  if (match) {
    const [, comm, pid, cpu, ts, text] = match;
    return { comm: comm!.trim(), pid: Number(pid), cpu: Number(cpu), ts: Number(ts), text: text! };
  }
  if (raw.trim() === '') return null;
  return { comm: previous?.comm ?? '', pid: previous?.pid ?? 0, cpu: previous?.cpu ?? 0, ts: previous?.ts ?? 0, text: raw };
}
