import { downloadBlob } from '../../common/download.ts';
import type { Json, MapEntry, MapMeta } from '../../../protocol/messages.ts';
import type { EventRow } from '../events/event-store.ts';

/** A CSV cell before quoting. */
type Cell = string | number | boolean | null;

/**
 * A JSON value as flat columns: struct fields as dotted names (`value.pid`),
 * array items by index (`value.slots[3]`). Scalars keep the prefix itself.
 */
export function flatten(value: Json | undefined, prefix: string, out: Record<string, Cell> = {}): Record<string, Cell> {
  if (value === undefined) return out;
  if (Array.isArray(value)) {
    if (value.length === 0) out[prefix] = '';
    value.forEach((v, i) => void flatten(v, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    const names = Object.keys(value);
    if (names.length === 0) out[prefix] = '';
    for (const name of names) flatten(value[name], prefix ? `${prefix}.${name}` : name, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

/**
 * RFC 4180 text: a header line, then one line per record; columns are the
 * union of every record's, in first-seen order. A text cell that a
 * spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe: process names and paths come from anyone on the machine.
 */
export function toCsv(records: Record<string, Cell>[], first: string[] = []): string {
  const columns: string[] = [...first];
  const seen = new Set(columns);
  for (const record of records) {
    for (const name of Object.keys(record)) {
      if (!seen.has(name)) {
        seen.add(name);
        columns.push(name);
      }
    }
  }
  const lines = [columns.map(quote).join(',')];
  for (const record of records) lines.push(columns.map((c) => cell(record[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: Cell | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return String(value);
  // Numbers the server sent as strings (u64 above 2^53, negative ones) are numbers, not formulas.
  if (/^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value)) return quote(`'${value}`);
  return quote(value);
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One line per entry: the key's and value's columns (struct fields dotted);
 * a per-CPU map adds cpu0..cpuN after the value (its total).
 */
export function mapToCsv(meta: MapMeta, entries: MapEntry[]): string {
  const records = entries.map((entry) => {
    const record: Record<string, Cell> = {};
    flatten(entry.key, 'key', record);
    flatten(entry.value, 'value', record);
    entry.perCpu?.forEach((v, cpu) => void flatten(v, `cpu${cpu}`, record));
    return record;
  });
  return toCsv(records, [...(isScalar(meta, 'key') ? ['key'] : []), ...(isScalar(meta, 'value') ? ['value'] : [])]);
}

function isScalar(meta: MapMeta, which: 'key' | 'value'): boolean {
  const desc = which === 'key' ? meta.keyDesc : meta.valueDesc;
  return !desc || (desc.kind !== 'struct' && desc.kind !== 'union' && desc.kind !== 'datasec' && !(desc.kind === 'array' && !desc.text));
}

/** The snapshot as one JSON document: what the map is, when it was read, its entries as the server decoded them. */
export function mapToJson(meta: MapMeta, entries: MapEntry[], extra: { readAt: number | null; count: number; truncated: boolean }): string {
  const doc = {
    map: meta.name,
    type: meta.type,
    keyType: meta.keyType,
    valueType: meta.valueType,
    perCpu: meta.perCpu,
    readAt: extra.readAt === null ? null : new Date(extra.readAt).toISOString(),
    count: extra.count,
    truncated: extra.truncated,
    entries,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Records as CSV: sequence number, arrival time, then the decoded fields (or the bytes when no type is known). */
export function eventsToCsv(rows: readonly EventRow[]): string {
  const records = rows.map((row) => {
    const record: Record<string, Cell> = { seq: row.seq + 1, time: new Date(row.at).toISOString() };
    if (row.value !== null && typeof row.value === 'object' && !Array.isArray(row.value)) {
      // A field named like one of ours (a struct with `time`) keeps its data under value.<name>.
      for (const [name, v] of Object.entries(flatten(row.value, ''))) record[name in record ? `value.${name}` : name] = v;
    } else if (row.value !== null) flatten(row.value, 'value', record);
    else record.hex = row.hex;
    return record;
  });
  return toCsv(records, ['seq', 'time']);
}

export function eventsToJson(map: string, rows: readonly EventRow[], recordType: string | null): string {
  const doc = {
    map,
    recordType,
    records: rows.map((row) => ({ seq: row.seq + 1, time: new Date(row.at).toISOString(), type: row.type, value: row.value, hex: row.hex, size: row.size })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** "execve_counter-2025-01-31T14-03-22.csv": the map and the time, safe as a file name everywhere. */
export function exportFileName(name: string, extension: 'csv' | 'json', at = Date.now()): string {
  const stamp = new Date(at).toISOString().slice(0, 19).replace(/:/g, '-');
  return `${name.replace(/[^\w.-]+/g, '_')}-${stamp}.${extension}`;
}

/** Saves text as a file through the browser's download (no server round trip). */
export function downloadText(fileName: string, text: string, type: string): void {
  downloadBlob(fileName, new Blob([text], { type }));
}
