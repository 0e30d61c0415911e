import type { Json, MapEntry, MapMeta, TypeDesc } from '../../../protocol/messages.ts';
import { plural } from '../../common/format.ts';

/**
 * What a map's contents look like, from its BTF types: which charts fit it
 * (a time series of numbers, top-N bars, a log2 histogram) and the numbers
 * those charts draw. Pure functions: the cards and the tests share them.
 */

/** One row of a map's table: an entry, or for .bss/.data one global variable. */
export interface MapRow {
  /** The entry's identity: its key as JSON, or the variable's name. */
  id: string;
  key: Json;
  value: Json;
  valueDesc: TypeDesc | null;
  perCpu?: Json[];
}

/** A row whose value is a number: what time series and top-N bars draw. */
export interface NumericRow {
  id: string;
  key: Json;
  value: number;
}

export type MapView = 'table' | 'series' | 'top' | 'histogram';

export const HASH_TYPES = new Set(['hash', 'lru_hash', 'percpu_hash', 'lru_percpu_hash']);
const ARRAY_TYPES = new Set(['array', 'percpu_array']);
/** Names that say "these are buckets": libbpf-tools' `slots`, bcc's `dist`, `hist`, latency maps. */
const HISTOGRAM_HINT = /hist|slot|bucket|dist|lat|log2/i;
/** Bucket counts a histogram can have: fewer is a pair of counters, more is not log2 of anything. */
const MIN_BUCKETS = 4;
const MAX_BUCKETS = 128;

/**
 * A map of the program's globals (.bss, .data, .rodata, .kconfig, clang's string literals; `prog.rodata`
 * in older libbpf): one value holding every variable. A C name has no dot, so no map the program defines does.
 */
export function isGlobalsMap(meta: Pick<MapMeta, 'name'>): boolean {
  return meta.name.includes('.');
}

/** What the folded globals say of their sections: "3 variables in .rodata, .bss". */
export function globalsSummary(maps: MapMeta[]): string {
  const variables = maps.reduce((sum, m) => sum + (m.valueDesc?.kind === 'datasec' ? (m.valueDesc.fields?.length ?? 0) : 0), 0);
  return `${plural(variables, 'variable')} in ${maps.map((m) => m.name).join(', ')}`;
}

/** The variables of a globals map's one entry, or null when the map is not shown that way. */
export function globalsOf(meta: MapMeta, entries: MapEntry[]): Record<string, Json> | null {
  if (!isGlobalsMap(meta) || entries.length !== 1) return null;
  const value = entries[0]!.value;
  return isObject(value) ? value : null;
}

/** The rows a card lists: entries sorted by key (unless `sorted` is false), or a globals map's variables in declaration order. */
export function mapRows(meta: MapMeta, entries: MapEntry[], sorted = true): { rows: MapRow[]; globals: Record<string, Json> | null } {
  const globals = globalsOf(meta, entries);
  if (globals) {
    return {
      globals,
      rows: Object.entries(globals).map(([name, value]) => ({
        id: name,
        key: name,
        value,
        valueDesc: meta.valueDesc?.fields?.find((f) => f.name === name)?.type ?? null,
      })),
    };
  }
  const rows = entries.map((entry) => ({ id: JSON.stringify(entry.key), key: entry.key, value: entry.value, valueDesc: meta.valueDesc, perCpu: entry.perCpu }));
  if (sorted) rows.sort((a, b) => compareJson(a.key, b.key));
  return { rows, globals: null };
}

/** A JSON value as a number to plot: numbers, and integers the server sent as strings (u64 above 2^53). */
export function toNumber(value: Json | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return null;
}

/** A type whose values are numbers: integers and floats (not bools, enums, pointers). */
export function isNumberDesc(desc: TypeDesc | null | undefined): boolean {
  return !!desc && (desc.kind === 'int' || desc.kind === 'float');
}

/** Every entry's value is a number: the map can be charted over time and ranked. */
export function hasNumericValues(meta: MapMeta): boolean {
  if (isGlobalsMap(meta)) {
    // Constants (.rodata) never change: nothing to chart.
    return meta.writable && (meta.valueDesc?.fields ?? []).some((f) => isNumberDesc(f.type));
  }
  // Without BTF the server decodes 1, 2, 4 and 8-byte values as unsigned integers.
  return meta.valueDesc ? isNumberDesc(meta.valueDesc) : [1, 2, 4, 8].includes(meta.valueSize);
}

/** The rows whose values are numbers (a per-CPU entry counts by its total). */
export function numericRows(rows: MapRow[]): NumericRow[] {
  const out: NumericRow[] = [];
  for (const row of rows) {
    const value = toNumber(row.value);
    if (value !== null) out.push({ id: row.id, key: row.key, value });
  }
  return out;
}

/** The n rows with the largest values, largest first (ties by key, so bars do not swap places). */
export function topRows(rows: NumericRow[], n = 10): NumericRow[] {
  return rows
    .slice()
    .sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, n);
}

/**
 * A map shaped like a histogram:
 * - `slots`: the bcc / libbpf-tools pattern, a value (usually `struct hist`) holding an
 *   integer array of buckets, `path` leading to it (empty when the value is the array);
 * - `index`: the key is a small integer bucket number and the value its count
 *   (an array map of u64, bcc's BPF_HISTOGRAM).
 * `log2` says whether the buckets are most likely powers of two.
 */
export type HistogramShape = { kind: 'slots'; path: string[]; length: number; log2: boolean } | { kind: 'index'; length: number; log2: boolean };

export function histogramShape(meta: MapMeta): HistogramShape | null {
  if (isGlobalsMap(meta) || !(HASH_TYPES.has(meta.type) || ARRAY_TYPES.has(meta.type))) return null;
  const slots = meta.valueDesc ? findSlots(meta.valueDesc) : null;
  if (slots)
    return {
      kind: 'slots',
      path: slots.path,
      length: slots.length,
      log2: HISTOGRAM_HINT.test(meta.name) || HISTOGRAM_HINT.test(slots.path.join('.')) || slots.path.length > 0,
    };

  const keyIsInt = meta.keyDesc ? meta.keyDesc.kind === 'int' && (meta.keyDesc.size ?? 8) <= 4 : meta.keySize <= 4;
  const valueIsInt = meta.valueDesc ? meta.valueDesc.kind === 'int' : [4, 8].includes(meta.valueSize);
  if (!keyIsInt || !valueIsInt) return null;
  const hinted = HISTOGRAM_HINT.test(meta.name);
  const bucketsFit = meta.maxEntries >= MIN_BUCKETS && meta.maxEntries <= MAX_BUCKETS;
  // An array map of a few dozen counters is a histogram more often than not; a hash map only says so by its name.
  if (bucketsFit && (ARRAY_TYPES.has(meta.type) || hinted)) return { kind: 'index', length: meta.maxEntries, log2: hinted };
  return null;
}

function findSlots(desc: TypeDesc): { path: string[]; length: number } | null {
  if (isBucketArray(desc)) return { path: [], length: desc.length! };
  if (desc.kind !== 'struct' || !desc.fields) return null;
  const arrays = desc.fields.filter((f) => isBucketArray(f.type));
  const field = arrays.length === 1 ? arrays[0] : arrays.find((f) => HISTOGRAM_HINT.test(f.name));
  return field ? { path: [field.name], length: field.type.length! } : null;
}

function isBucketArray(desc: TypeDesc): boolean {
  return (
    desc.kind === 'array' &&
    !desc.text &&
    desc.elem?.kind === 'int' &&
    (desc.elem.size ?? 0) >= 2 &&
    (desc.length ?? 0) >= MIN_BUCKETS &&
    (desc.length ?? 0) <= MAX_BUCKETS
  );
}

/** Which entries a histogram sums: all of them, or the one with this id (a histogram per disk, per pid…). */
export type HistogramSource = { all: true } | { all: false; id: string };

/** The count in each bucket. */
export function histogramCounts(shape: HistogramShape, rows: MapRow[], source: HistogramSource = { all: true }): number[] {
  const counts = new Array<number>(shape.length).fill(0);
  if (shape.kind === 'index') {
    for (const row of rows) {
      const index = toNumber(row.key);
      const count = toNumber(row.value);
      if (index === null || count === null || index < 0 || index >= shape.length) continue;
      counts[index]! += count;
    }
    return counts;
  }
  for (const row of rows) {
    if (!source.all && row.id !== source.id) continue;
    let slots: Json | undefined = row.value;
    for (const name of shape.path) slots = isObject(slots) ? slots[name] : undefined;
    if (!Array.isArray(slots)) continue;
    slots.forEach((v, i) => {
      const n = toNumber(v);
      if (n !== null && i < counts.length) counts[i]! += n;
    });
  }
  return counts;
}

/** The buckets worth drawing: from the first non-zero one to the last (bcc prints from 0; the empty low end only pushes the data down). */
export function visibleBuckets(counts: number[]): { from: number; to: number } | null {
  const from = counts.findIndex((c) => c !== 0);
  if (from < 0) return null;
  let to = counts.length - 1;
  while (to > from && counts[to] === 0) to--;
  return { from, to };
}

const UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** 512 → "512", 1024 → "1K", 3 * 2^20 → "3M": powers of 1024, as bcc's users read bucket bounds. */
export function compactPow2(n: bigint): string {
  let unit = 0;
  while (n >= 1024n && n % 1024n === 0n && unit < UNITS.length - 1) {
    n /= 1024n;
    unit++;
  }
  return `${n}${UNITS[unit]}`;
}

/**
 * The range of log2 bucket `i`, as bcc's print_log2_hist has it: bucket 0 holds
 * 0 and 1, bucket i holds 2^i to 2^(i+1)-1. "0→1", "2→3", "4→7", …, "512→1K", "1K→2K".
 * From 1K up the end is written as the next power (2K, not 2047), so labels stay short.
 */
export function log2Label(i: number): string {
  const low = i === 0 ? 0n : 1n << BigInt(i);
  const high = (1n << BigInt(i + 1)) - 1n;
  if (high + 1n >= 1024n) return `${compactPow2(low)}→${compactPow2(high + 1n)}`;
  return `${low}→${high}`;
}

/** "3.5/s", "1,204/s", "−2.0/s"; an unknown rate is a dash. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  if (rate === 0) return '0/s';
  const abs = Math.abs(rate);
  const text = abs >= 100 ? Math.round(abs).toLocaleString('en-US') : abs.toFixed(1);
  return `${rate < 0 ? '−' : ''}${text}/s`;
}

/** 1234 → "1.2K", 5_300_000 → "5.3M": axis ticks and bar ends, where space is short. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(abs < 10 ? 2 : 1).replace(/\.?0+$/, '');
  const units = ['K', 'M', 'G', 'T', 'P', 'E'];
  let unit = -1;
  let v = abs;
  while (v >= 1000 && unit < units.length - 1) {
    v /= 1000;
    unit++;
  }
  return `${n < 0 ? '-' : ''}${v >= 100 ? Math.round(v) : v.toFixed(1).replace(/\.0$/, '')}${units[unit]}`;
}

/** The views a map offers, the table first; the first chart is the default view. */
export function viewsOf(meta: MapMeta): MapView[] {
  const views: MapView[] = ['table'];
  if (histogramShape(meta)) views.push('histogram');
  if (hasNumericValues(meta)) {
    views.push('series');
    if (HASH_TYPES.has(meta.type)) views.push('top');
  }
  return views;
}

/** A histogram shows as one, a map of numbers as its time series; everything else as a table. */
export function defaultView(meta: MapMeta): MapView {
  const views = viewsOf(meta);
  return views[1] ?? 'table';
}

export function compareJson(a: Json, b: Json): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function isObject(value: Json | undefined): value is Record<string, Json> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
