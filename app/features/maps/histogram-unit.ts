import type { MapMeta } from '../../../protocol/messages.ts';
import type { HistogramShape } from './map-shape.ts';

/** Words in names that say a unit, as tools spell them (`lat_ns`, `dist_usecs`, `size_bytes`), and how an axis writes it. */
const UNIT_WORDS: Record<string, string> = {
  ns: 'ns',
  nsec: 'ns',
  nsecs: 'ns',
  nanos: 'ns',
  nanosecond: 'ns',
  nanoseconds: 'ns',
  us: 'µs',
  usec: 'µs',
  usecs: 'µs',
  micros: 'µs',
  microsecond: 'µs',
  microseconds: 'µs',
  ms: 'ms',
  msec: 'ms',
  msecs: 'ms',
  millis: 'ms',
  millisecond: 'ms',
  milliseconds: 'ms',
  sec: 's',
  secs: 's',
  seconds: 's',
  byte: 'bytes',
  bytes: 'bytes',
};

/**
 * What a histogram's buckets count, for its axis: the unit the lesson declares
 * for this map, else the first one a name says: the bucket array's field
 * (`slots_us`), the map's (`runq_lat_ns`), then its value and key types'
 * (`struct hist_usecs`). Null when nothing says one: no unit is guessed.
 */
export function histogramUnit(meta: Pick<MapMeta, 'name' | 'keyType' | 'valueType'>, shape: HistogramShape, declared?: string): string | null {
  if (declared?.trim()) return declared.trim();
  const names = [...(shape.kind === 'slots' ? shape.path : []), meta.name, meta.valueType ?? '', meta.keyType ?? ''];
  for (const name of names) {
    // Words split at underscores, other punctuation and lower-to-upper case changes: latencyUs, lat_ns, hist-bytes.
    const words = name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9]+/);
    for (const word of words) if (Object.hasOwn(UNIT_WORDS, word)) return UNIT_WORDS[word]!;
  }
  return null;
}
