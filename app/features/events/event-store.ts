import type { Json } from '../../../protocol/messages.ts';

/** One ring buffer or perf buffer record as the page keeps it. */
export interface EventRow {
  /** Position in the map's whole stream, kept across evictions: a stable React key. */
  seq: number;
  /** Date.now() when the record arrived (records carry no kernel time). */
  at: number;
  /** The decoded struct (or null when the server knows no type for it). */
  value: Json | null;
  hex: string;
  size: number;
  /** The C type it was decoded as, e.g. "struct open_event". */
  type: string | null;
}

export interface EventStream {
  map: string;
  rows: EventRow[];
  /** Records that arrived in all (the next seq). */
  total: number;
  /** The server's running count of records it did not deliver. */
  serverDropped: number;
  /** Records pushed out of the last `capacity` kept here. */
  evicted: number;
  /** Records the kernel lost (perf buffers report them). */
  lost: number;
  /** The type the latest batch was decoded as. */
  recordType: string | null;
  firstAt: number | null;
}

/** Records kept per map in the browser; older ones are evicted and counted as dropped. */
export const EVENT_CAPACITY = 5000;

/**
 * Event records of the current run, per map, outside React: batches are
 * appended as they arrive and the Events pane re-renders at most once a
 * frame (the same pattern as the TraceBuffer). Each map keeps its newest
 * `capacity` records; the rest are counted, never hidden.
 */
export class EventStore {
  private readonly streams = new Map<string, EventStream>();
  /** Bumped on every change, so views can tell whether to re-read. */
  version = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly capacity = EVENT_CAPACITY) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Maps that sent records, in the order they first did. */
  get maps(): string[] {
    return [...this.streams.keys()];
  }

  stream(map: string): EventStream | null {
    return this.streams.get(map) ?? null;
  }

  /** Records that arrived across every map: what the tab's badge counts. */
  get total(): number {
    let sum = 0;
    for (const stream of this.streams.values()) sum += stream.total;
    return sum;
  }

  append(
    batch: { map: string; recordType: string | null; records: { value: Json | null; hex: string; size: number }[]; dropped: number; lost: number },
    nowMs = Date.now(),
  ): void {
    let stream = this.streams.get(batch.map);
    if (!stream) {
      stream = { map: batch.map, rows: [], total: 0, serverDropped: 0, evicted: 0, lost: 0, recordType: null, firstAt: null };
      this.streams.set(batch.map, stream);
    }
    // The server's counts are running totals for the run.
    stream.serverDropped = Math.max(stream.serverDropped, batch.dropped);
    stream.lost = Math.max(stream.lost, batch.lost);
    stream.recordType = batch.recordType;
    if (batch.records.length) {
      stream.firstAt ??= nowMs;
      for (const record of batch.records) {
        stream.rows.push({ seq: stream.total++, at: nowMs, value: record.value, hex: record.hex, size: record.size, type: batch.recordType });
      }
      const over = stream.rows.length - this.capacity;
      if (over > 0) {
        stream.rows.splice(0, over);
        stream.evicted += over;
      }
    }
    this.changed();
  }

  /** Empties one map's view; the counts of what came before stay. */
  clear(map: string): void {
    const stream = this.streams.get(map);
    if (!stream) return;
    stream.rows = [];
    stream.evicted = 0;
    this.changed();
  }

  /** Forgets everything: a new run starts. */
  reset(): void {
    this.streams.clear();
    this.changed();
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

/** Records not shown of a stream: not delivered by the server, or pushed out here. */
export function droppedOf(stream: Pick<EventStream, 'serverDropped' | 'evicted'>): number {
  return stream.serverDropped + stream.evicted;
}

/** A record's bytes as text: printable ASCII as is, the rest as \xNN, trailing NULs cut. */
export function hexToText(hex: string): string {
  let out = '';
  let end = hex.length;
  while (end >= 2 && hex.slice(end - 2, end) === '00') end -= 2;
  for (let i = 0; i + 1 < end; i += 2) {
    const byte = parseInt(hex.slice(i, i + 2), 16);
    out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : byte === 0x0a ? '\\n' : `\\x${hex.slice(i, i + 2)}`;
  }
  return out;
}

/** "0a 1b 2c …": hex in byte pairs, grouped by 4 bytes for reading. */
export function spacedHex(hex: string): string {
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += 8) groups.push(hex.slice(i, i + 8));
  return groups.join(' ');
}

/**
 * The columns of a table of decoded records: the fields of the objects among
 * them, in first-seen order. Empty when no record decoded to an object.
 */
export function columnsOf(rows: readonly Pick<EventRow, 'value'>[], sample = 200): string[] {
  const seen = new Set<string>();
  const from = Math.max(0, rows.length - sample);
  for (let i = from; i < rows.length; i++) {
    const value = rows[i]!.value;
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const key of Object.keys(value)) seen.add(key);
  }
  return [...seen];
}
