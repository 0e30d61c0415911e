import type { TraceLine } from '../../protocol/messages.ts';

// "           bash-1234    [001] d..31  5678.123456: bpf_trace_printk: invoke bpf_prog: Hello"
// The comm may hold spaces and dashes, so the pid is the last "-digits" before the CPU column.
const PRINTK = /^\s*(.*)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+\S+\s+(\d+\.\d+):\s+bpf_trace_printk:\s?(.*)$/;

export interface ParsedTraceLine {
  line: TraceLine;
  /** The rest of the previous line's message (it held a "\n"): same columns, same owner. */
  continuation: boolean;
}

/**
 * Parses one trace_pipe line. A line that is not a printk header (the rest of
 * a message holding "\n") continues the previous line and takes its columns.
 */
export function parseTraceLine(raw: string, previous: TraceLine | null): ParsedTraceLine | null {
  const match = PRINTK.exec(raw);
  if (match) {
    const [, comm, pid, cpu, ts, text] = match;
    return { line: { comm: comm!.trim(), pid: Number(pid), cpu: Number(cpu), ts: Number(ts), text: text! }, continuation: false };
  }
  if (raw.trim() === '') return null;
  const line = { comm: previous?.comm ?? '', pid: previous?.pid ?? 0, cpu: previous?.cpu ?? 0, ts: previous?.ts ?? 0, text: raw };
  return { line, continuation: true };
}

/** A session's secret line prefix, as bpf/include/bpf/bpf_helpers.h puts it before each bpf_printk. */
export function formatTraceTag(secret: string): string {
  return `[pg:${secret}] `;
}

const TAGGED = /^\[pg:([A-Za-z0-9_-]{12})\] /;

/** Splits a printk text into its session secret (null when it has none) and what the program printed. */
export function splitTraceTag(text: string): { secret: string | null; text: string } {
  const match = TAGGED.exec(text);
  return match ? { secret: match[1]!, text: text.slice(match[0].length) } : { secret: null, text };
}

/** Turns trace_pipe text, in chunks as read, into lines: a line cut between chunks waits for its end; overlong ones are clipped. */
export class TraceTextParser {
  private partial = '';
  private last: TraceLine | null = null;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: string): TraceLine[] {
    const pieces = (this.partial + chunk).split('\n');
    this.partial = pieces.pop() ?? '';
    if (this.partial.length > this.maxLineBytes * 4) this.partial = this.partial.slice(0, this.maxLineBytes);
    const lines: TraceLine[] = [];
    for (const raw of pieces) {
      const clipped = raw.length > this.maxLineBytes ? `${raw.slice(0, this.maxLineBytes)}…` : raw;
      const parsed = parseTraceLine(clipped, this.last);
      if (!parsed) continue;
      this.last = parsed.line;
      lines.push(parsed.line);
    }
    return lines;
  }
}
