// The maps of one Run: their codecs, the globals and entries user space writes, and the
// polling that sends the client only what changed.
import diagnosticsChannel from 'node:diagnostics_channel';
import { entryKey, type Json, type MapEntry, type MapSnapshot, type ServerMessage } from '../../protocol/messages.ts';
import type { Btf } from '../btf/btf.ts';
import type { MapInfo } from '../../native/index.ts';
import { describeBpfError, type RunnerCallError } from '../runner/runner.ts';
import type { Loader } from '../sandbox/sandbox.ts';
import type { KernelSymbols } from './kallsyms.ts';
import { sentence } from '../text.ts';
import { MapCodec } from './map-codec.ts';

/** What one map read cost, for whoever listens (tests, profiling); nothing is published without a subscriber. */
export interface MapDumpReport {
  map: string;
  /** Entries read (the display cap plus one at most). */
  count: number;
  /** Read with BPF_MAP_LOOKUP_BATCH rather than one key at a time. */
  batched: boolean;
  ms: number;
}
/** Every map dump of every run is published here as a {@link MapDumpReport}. */
export const mapDumpChannel = diagnosticsChannel.channel('ebpf-playground:map-dump');

export interface RunMapsOptions {
  runId: string | number;
  loader: Loader;
  /** Entries sent per map at most (config `limits.mapEntriesShown`). */
  entriesShown: number;
  intervalMs: number;
  /** Stack frames are named from the kernel's symbols, read once per kernel side. */
  symbols: () => Promise<KernelSymbols | null>;
  /** bpf_printk's format strings live in .rodata, each with this tag in front (null when lines carry none). */
  traceTag: string | null;
  send: (message: ServerMessage) => void;
}

export class RunMaps {
  readonly codecs = new Map<string, MapCodec>();
  /** What the client was last sent of each map, to send only changes. */
  private readonly shown = new Map<string, { snapshot: MapSnapshot; entries: Map<string, { entry: MapEntry; text: string }> }>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;
  private intervalMs: number;

  constructor(
    maps: MapInfo[],
    btf: Btf | null,
    possibleCpus: number,
    private readonly options: RunMapsOptions,
  ) {
    for (const info of maps) this.codecs.set(info.name, new MapCodec(info, btf, possibleCpus));
    this.intervalMs = options.intervalMs;
  }

  private get loader(): Loader {
    return this.options.loader;
  }

  meta() {
    return [...this.codecs.values()].map((codec) => codec.meta());
  }

  isInternal(map: string): boolean {
    return this.codecs.get(map)?.info.isInternal === true;
  }

  /**
   * Sets some of an internal map's globals before load, keeping the others at
   * their compiled values: `{ target_ppid: 1234 }` changes only target_ppid.
   */
  async setGlobals(mapName: string, value: Json): Promise<string | null> {
    const codec = this.codecs.get(mapName)!;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return `give the globals of ${mapName} as an object, like {"name": value}.`;
    }
    const initial = await this.loader.call('initialValue', { map: mapName });
    const current = initial ? codec.decodeValueBytes(initial).value : {};
    const merged = { ...(current as Record<string, Json>), ...value };
    const encoded = codec.encodeValue(merged);
    if (!encoded.ok) return sentence(encoded.error);
    await this.loader.call('setInitialValue', { map: mapName, value: encoded.bytes });
    return null;
  }

  /**
   * Writes one entry by its JSON key and value; resolves to the problem in one
   * sentence, or null. A queue or stack ignores the key and pushes the value;
   * .data and .bss take an object of the globals to change, and keep the rest.
   */
  async writeEntry(mapName: string, key: Json, value: Json): Promise<string | null> {
    const codec = this.codecs.get(mapName);
    if (!codec || this.closed) return `there is no map named "${mapName}" in this program.`;
    if (!codec.writable) return `map ${mapName} (${codec.info.typeName}) cannot be written from user space here.`;
    try {
      if (codec.view === 'head') {
        const v = codec.encodeValue(value);
        if (!v.ok) return sentence(v.error);
        try {
          await this.loader.call('push', { map: mapName, value: v.bytes });
        } catch (error) {
          if ((error as RunnerCallError).code === 'E2BIG') return `map ${mapName} is full (it holds ${codec.info.maxEntries} values): pop one first.`;
          throw error;
        }
      } else {
        const k = codec.encodeKey(key);
        if (!k.ok) return sentence(k.error);
        let merged = value;
        if (codec.info.isInternal && value !== null && typeof value === 'object' && !Array.isArray(value)) {
          // Only the globals given change: the others keep what the program last stored.
          const live = await this.loader.call('lookup', { map: mapName, key: k.bytes, lock: codec.locked });
          const current = live ? codec.decodeValueBytes(live).value : {};
          merged = { ...(current as Record<string, Json>), ...value };
        }
        const v = codec.encodeValue(merged);
        if (!v.ok) return sentence(v.error);
        try {
          await this.loader.call('update', { map: mapName, key: k.bytes, value: v.bytes, lock: codec.locked });
        } catch (error) {
          if (codec.isArray && (error as RunnerCallError).code === 'E2BIG') {
            return `index ${JSON.stringify(key)} is out of range: map ${mapName} holds indexes 0 to ${codec.info.maxEntries - 1}.`;
          }
          throw error;
        }
      }
    } catch (error) {
      return describeBpfError(error);
    }
    this.refreshSoon();
    return null;
  }

  /** Deletes one entry by its JSON key; a queue or stack pops its head instead. Resolves to the problem, or null. */
  async deleteEntry(mapName: string, key: Json): Promise<string | null> {
    const codec = this.codecs.get(mapName);
    if (!codec || this.closed) return `there is no map named "${mapName}" in this program.`;
    if (codec.isArray)
      return `map ${mapName} is an array: it always holds all ${codec.info.maxEntries} entries, so an entry can be set (to zero, say) but not deleted.`;
    try {
      if (codec.view === 'head') {
        const popped = await this.loader.call('pop', { map: mapName });
        if (!popped) return `map ${mapName} is empty: there is nothing to pop.`;
      } else {
        const k = codec.encodeKey(key);
        if (!k.ok) return sentence(k.error);
        await this.loader.call('delete', { map: mapName, key: k.bytes });
      }
    } catch (error) {
      const err = error as RunnerCallError;
      return err.code === 'ENOENT' ? 'that key is not in the map.' : describeBpfError(error);
    }
    this.refreshSoon();
    return null;
  }

  /** Starts sending the maps: every interval, and soon after each write. */
  startPolling(): void {
    this.polling = true;
    void this.poll();
  }

  setInterval(ms: number): void {
    this.intervalMs = ms;
    this.refreshSoon();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Polling ends, and every listable map is read one last time; what changed goes
   * to the client. The dump requests leave before this returns its promise, so a
   * close sent right after reaches the loader behind them.
   */
  readLast(): Promise<void> {
    this.close();
    const reads = [...this.codecs.values()].filter((codec) => codec.view === 'entries').map((codec) => this.snapshot(codec, true));
    return Promise.all(reads).then((snapshots) => this.sendChanges(snapshots));
  }

  /** Every listable map, read whole now (for a lesson check), not the deltas the client gets. */
  async readAll(): Promise<MapSnapshot[]> {
    const snapshots: MapSnapshot[] = [];
    for (const codec of this.codecs.values()) if (codec.view === 'entries') snapshots.push((await this.snapshot(codec, false))!);
    return snapshots;
  }

  /** A reconnecting client has nothing to apply deltas to: every map whole, as last sent. */
  wholeFrames(): MapSnapshot[] {
    return [...this.shown.values()].map(({ snapshot }) => ({ ...snapshot, full: true }));
  }

  private refreshSoon(): void {
    if (!this.polling || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), 0);
  }

  private async poll(): Promise<void> {
    this.timer = null;
    if (this.closed) return;
    const snapshots: MapSnapshot[] = [];
    for (const codec of this.codecs.values()) {
      if (codec.view === 'entries') {
        // After the first frame the runner may answer "unchanged", and then there is nothing to do.
        const snapshot = await this.snapshot(codec, this.shown.has(codec.info.name));
        if (snapshot) snapshots.push(snapshot);
      }
      if (codec.view === 'head') snapshots.push(await this.headSnapshot(codec));
    }
    if (this.closed) return;
    this.sendChanges(snapshots);
    if (!this.timer) this.timer = setTimeout(() => void this.poll(), this.intervalMs);
  }

  /** Only what changed since the last frame goes out: a 10,000-entry map with one busy key costs one entry. */
  private sendChanges(snapshots: (MapSnapshot | null)[]): void {
    const frames = snapshots.flatMap((snapshot) => (snapshot ? (this.delta(snapshot) ?? []) : []));
    if (frames.length) this.options.send({ type: 'maps', runId: this.options.runId, maps: frames });
  }

  /** The frame for one map against what the client already has, or null when nothing changed. */
  private delta(snapshot: MapSnapshot): MapSnapshot | null {
    const before = this.shown.get(snapshot.name);
    const now = new Map(snapshot.entries.map((e) => [entryKey(e.key), { entry: e, text: JSON.stringify(e) }]));
    this.shown.set(snapshot.name, { snapshot, entries: now });
    if (!before) return { ...snapshot, full: true };
    const changed = [...now.entries()].filter(([id, e]) => before.entries.get(id)?.text !== e.text).map(([, e]) => e.entry);
    const removed = [...before.entries.entries()].filter(([id]) => !now.has(id)).map(([, e]) => e.entry.key);
    const same = !changed.length && !removed.length && before.snapshot.count === snapshot.count && before.snapshot.error === snapshot.error;
    return same ? null : { ...snapshot, full: false, entries: changed, removed };
  }

  /** The map read whole and decoded; null when `ifChanged` and the runner found it as it was. */
  private async snapshot(codec: MapCodec, ifChanged: boolean): Promise<MapSnapshot | null> {
    const shown = this.options.entriesShown;
    try {
      const started = performance.now();
      const dump = await this.loader.call('dump', { map: codec.info.name, max: shown + 1, ifChanged, lock: codec.locked });
      if (mapDumpChannel.hasSubscribers) {
        const report: MapDumpReport = { map: codec.info.name, count: dump.count, batched: dump.batched, ms: performance.now() - started };
        mapDumpChannel.publish(report);
      }
      if (dump.unchanged) return null;
      const count = Math.min(dump.count, shown);
      const symbols = codec.info.typeName === 'stack_trace' ? await this.options.symbols() : null;
      let entries = codec.decodeEntries(dump.keys, dump.values, count, symbols);
      const tag = this.options.traceTag;
      if (codec.info.isInternal && tag) entries = withoutTag(entries, tag) as MapEntry[];
      return { name: codec.info.name, entries, count: dump.count, truncated: dump.count > shown };
    } catch (error) {
      return { name: codec.info.name, entries: [], count: 0, truncated: false, error: describeBpfError(error) };
    }
  }

  /**
   * A queue or stack: its head, read without taking it off. The kernel has
   * no way to list these maps or count what they hold short of emptying them.
   */
  private async headSnapshot(codec: MapCodec): Promise<MapSnapshot> {
    const { name, typeName, maxEntries } = codec.info;
    const next = typeName === 'queue' ? 'the oldest value, which the next pop takes' : 'the newest value, which the next pop takes';
    const note = `Only the head is shown: ${next}. A ${typeName} map cannot be listed without emptying it; it holds up to ${maxEntries.toLocaleString('en-US')} values.`;
    try {
      const head = await this.loader.call('peek', { map: name });
      const entries: MapEntry[] = head ? [{ key: null, ...codec.decodeValueBytes(head) }] : [];
      return { name, entries, count: entries.length, truncated: false, headOnly: true, note };
    } catch (error) {
      return { name, entries: [], count: 0, truncated: false, headOnly: true, note, error: describeBpfError(error) };
    }
  }
}

/** The value with the trace tag taken off the front of every string in it. */
export function withoutTag(value: unknown, tag: string): unknown {
  if (typeof value === 'string') return value.startsWith(tag) ? value.slice(tag.length) : value;
  if (Array.isArray(value)) return value.map((v) => withoutTag(v, tag));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutTag(v, tag)]));
  return value;
}
