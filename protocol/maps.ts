// Maps as the page sees them: their shape (by BTF), their entries, and the frames that update them.
import { z } from 'zod';
import { jsonSchema, type Json } from './json.ts';
import { typeDescSchema } from './type-desc.ts';

export const mapMetaSchema = z.object({
  name: z.string(),
  type: z.string(),
  keySize: z.number(),
  valueSize: z.number(),
  maxEntries: z.number(),
  keyType: z.string().nullable(),
  valueType: z.string().nullable(),
  keyDesc: typeDescSchema.nullable(),
  valueDesc: typeDescSchema.nullable(),
  perCpu: z.boolean(),
  /** Users can insert/update/delete entries (hash, array, .data, .bss…). */
  writable: z.boolean(),
});
export type MapMeta = z.infer<typeof mapMetaSchema>;

export const mapEntrySchema = z.object({
  key: jsonSchema,
  value: jsonSchema,
  /** Per-CPU maps: one value per possible CPU; `value` is then their sum where they are numbers. */
  perCpu: z.array(jsonSchema).optional(),
});
export type MapEntry = z.infer<typeof mapEntrySchema>;

export const mapSnapshotSchema = z.object({
  name: z.string(),
  /**
   * false: `entries` holds only the entries that changed since the previous
   * frame and `removed` the keys that went; apply them with {@link applyMapDelta}.
   * Absent or true: `entries` is the whole map (up to the display cap).
   */
  full: z.boolean().optional(),
  entries: z.array(mapEntrySchema),
  removed: z.array(jsonSchema).optional(),
  /** Entries in the map; more than shown when the snapshot was cut at the display cap. */
  count: z.number(),
  truncated: z.boolean(),
  error: z.string().optional(),
  /**
   * Queue and stack maps: `entries` holds at most the head (key null), the
   * value the next pop returns, read without taking it off. The kernel cannot
   * list these maps, or count them, without emptying them: `count` is then 1
   * when the map holds something (maybe more) and 0 when it is empty.
   */
  headOnly: z.boolean().optional(),
  /** A sentence for the user about how this map is shown, e.g. that only a queue's head is. */
  note: z.string().optional(),
});
export type MapSnapshot = z.infer<typeof mapSnapshotSchema>;

/** The identity of an entry: its key as canonical JSON. */
export const entryKey = (key: Json): string => JSON.stringify(key);

/** A map's entries after a frame: a full snapshot replaces them, a delta updates them in place (order kept, new ones last). */
export function applyMapDelta(previous: MapEntry[] | undefined, frame: MapSnapshot): MapEntry[] {
  if (frame.full !== false || !previous) return frame.entries;
  const removed = new Set((frame.removed ?? []).map(entryKey));
  const changed = new Map(frame.entries.map((e) => [entryKey(e.key), e]));
  const next: MapEntry[] = [];
  for (const entry of previous) {
    const id = entryKey(entry.key);
    if (removed.has(id)) continue;
    next.push(changed.get(id) ?? entry);
    changed.delete(id);
  }
  return [...next, ...changed.values()];
}
