import type { TraceLine } from '../../../protocol/messages.ts';

export interface TraceRow extends TraceLine {
  /** Position in the run's whole stream, kept across evictions: a stable React key. */
  seq: number;
}

/** Lines kept in the browser; older ones are evicted and counted as dropped. */
export const TRACE_CAPACITY = 5000;

/**
 * The Output pane's lines, outside React: trace batches are appended here as
 * they arrive and the pane re-renders at most once per animation frame.
 * Holds at most `capacity` lines; the rest are counted, never hidden.
 */
export class TraceBuffer {
  private rows: TraceRow[] = [];
  private nextSeq = 0;
  /** Lines the server did not deliver (its running count for this run). */
  serverDropped = 0;
  /** Lines that arrived but were pushed out of the buffer by newer ones. */
  evicted = 0;
  /** Kernel timestamp of the run's first line: "+0.000 s". */
  firstTs: number | null = null;
  /**
   * Wall clock minus kernel clock, in seconds: the smallest difference seen,
   * since delivery only ever adds delay. Turns kernel timestamps into times of day.
   */
  clockOffset: number | null = null;
  /** Bumped on every change, so views can tell whether to re-read. */
  version = 0;
  private rate: { second: number; count: number }[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(readonly capacity = TRACE_CAPACITY) {}

  /** Called after every change; views throttle re-renders themselves (useTraceVersion). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get lines(): readonly TraceRow[] {
    return this.rows;
  }

  get total(): number {
    return this.nextSeq;
  }

  get dropped(): number {
    return this.serverDropped + this.evicted;
  }

  /** Lines the kernel's shared trace buffer overwrote during this run (anyone's: counted apart from `dropped`). */
  kernelLost = 0;

  append(lines: TraceLine[], serverDropped: number, nowMs = Date.now(), kernelLost = 0): void {
    this.serverDropped = Math.max(this.serverDropped, serverDropped);
    this.kernelLost = Math.max(this.kernelLost, kernelLost);
    if (lines.length) {
      if (this.firstTs === null) this.firstTs = lines[0]!.ts;
      const offset = nowMs / 1000 - lines[lines.length - 1]!.ts;
      if (this.clockOffset === null || offset < this.clockOffset) this.clockOffset = offset;
      for (const line of lines) this.rows.push({ ...line, seq: this.nextSeq++ });
      const over = this.rows.length - this.capacity;
      if (over > 0) {
        this.rows.splice(0, over);
        this.evicted += over;
      }
      this.count(lines.length, nowMs);
    }
    this.changed();
  }

  clear(): void {
    this.rows = [];
    this.evicted = 0;
    this.changed();
  }

  /** Forgets everything, including the drop counts: a new run starts. */
  reset(): void {
    this.rows = [];
    this.nextSeq = 0;
    this.serverDropped = 0;
    this.kernelLost = 0;
    this.evicted = 0;
    this.firstTs = null;
    this.clockOffset = null;
    this.rate = [];
    this.changed();
  }

  /** Lines per second over the last few whole seconds. */
  linesPerSecond(nowMs = Date.now()): number {
    const now = Math.floor(nowMs / 1000);
    const window = this.rate.filter((r) => r.second >= now - 3 && r.second < now);
    return window.reduce((sum, r) => sum + r.count, 0) / 3;
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }

  private count(n: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const last = this.rate[this.rate.length - 1];
    if (last?.second === second) last.count += n;
    else this.rate.push({ second, count: n });
    if (this.rate.length > 8) this.rate.shift();
  }
}
