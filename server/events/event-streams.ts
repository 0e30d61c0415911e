// The ring buffers and perf event arrays of one Run: their records decoded by BTF and sent
// as `events`, with what was dropped (the client's rate) or lost (the kernel's) counted.
import type { Json, ServerMessage } from '../../protocol/messages.ts';
import type { MapInfo } from '../../native/index.ts';
import { Btf } from '../btf/btf.ts';
import { EventCodec, definedStructs, structsOf, type StructChoice } from './event-codec.ts';
import type { RunnerEvents } from '../runner/runner-protocol.ts';

/** Maps whose records stream to the client as events rather than being dumped. */
export const EVENT_MAP_TYPES = new Set(['ringbuf', 'perf_event_array']);

export interface EventStreamsOptions {
  runId: string | number;
  /** Sends an events frame unless the client is too far behind; false when it was dropped. */
  sendBulk: (message: ServerMessage) => boolean;
  /** Every decoded record, before any is dropped for the client's sake (lesson checks watch these). */
  onRecords?: (values: (Json | null)[]) => void;
}

export class EventStreams {
  /** Struct types records may be decoded as: the object's, then those of the user's headers. */
  readonly structs: StructChoice[];
  private readonly streams = new Map<string, { codec: EventCodec; dropped: number; lost: number }>();
  /** Structs the user's own source defines: the first guess for what a record is. */
  private readonly ownStructs: Set<string>;
  private flowing = false;

  constructor(
    maps: MapInfo[],
    btf: Btf | null,
    sources: string[],
    private readonly options: EventStreamsOptions,
  ) {
    this.structs = structsOf(btf);
    this.ownStructs = definedStructs(sources);
    for (const info of maps) {
      if (EVENT_MAP_TYPES.has(info.typeName)) this.streams.set(info.name, { codec: new EventCodec(this.structs, this.ownStructs), dropped: 0, lost: 0 });
    }
  }

  get maps(): string[] {
    return [...this.streams.keys()];
  }

  /** A struct the user defines but the object's BTF lacks (used only through a pointer the compiler dropped). */
  get lacksOwnStructs(): boolean {
    return [...this.ownStructs].some((name) => !this.structs.some((s) => s.name === name));
  }

  /** Adds the structs of the user's headers (a separate compile's BTF) to what records may be decoded as. */
  addTypes(rawBtf: Uint8Array | null): void {
    const more = rawBtf ? structsOf(Btf.parse(rawBtf)) : [];
    if (!more.length) return;
    for (const stream of this.streams.values()) stream.codec.addStructs(more);
    const known = new Set(this.structs.map((s) => s.name));
    this.structs.push(...more.filter((s) => !known.has(s.name)));
  }

  /** From attach on, records are news; before it and after stop they are not. */
  setFlowing(flowing: boolean): void {
    this.flowing = flowing;
  }

  /** Records from the loader: decoded, and sent unless the client is behind (then counted). */
  onEvents(events: RunnerEvents): void {
    const stream = this.streams.get(events.map);
    if (!stream || !this.flowing) return;
    stream.dropped += events.dropped;
    stream.lost += events.lost;
    if (!events.records.length && !events.dropped && !events.lost) return;
    const decoded = events.records.map((record) => stream.codec.decode(record));
    if (decoded.length) this.options.onRecords?.(decoded.map((d) => d.value));
    const type = decoded.find((d) => d.type)?.type ?? null;
    const message: ServerMessage = {
      type: 'events',
      runId: this.options.runId,
      map: events.map,
      recordType: type ? `struct ${type.name}` : null,
      records: decoded.map(({ value, hex, size }) => ({ value, hex, size })),
      dropped: stream.dropped,
      lost: stream.lost,
    };
    if (!this.options.sendBulk(message)) stream.dropped += decoded.length;
  }

  /** Decodes a map's records as the struct the user chose; resolves to the problem, or null. */
  setType(map: string, typeName: string | null): string | null {
    const stream = this.streams.get(map);
    if (!stream) return `there is no ring buffer or perf event array named "${map}" in this program.`;
    if (!stream.codec.pick(typeName)) {
      const names = this.structs.map((s) => s.name).join(', ');
      return `the program's BTF has no struct named "${typeName}"${names ? ` (it has: ${names})` : ''}.`;
    }
    return null;
  }
}
