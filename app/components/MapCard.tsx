'use client';

import { Fragment, useMemo, useRef, useState, type FormEvent } from 'react';
import type { Json, MapEntry, MapMeta, MapSnapshot, TypeDesc } from '../../protocol/messages.ts';
import { formatBytes, formatJson, formatNumber, isNumeric, plural } from '../lib/format.ts';
import { describeDesc, parseJsonInput, placeholderFor, toInputText } from '../lib/json-input.ts';
import type { RequestResult } from '../lib/playground-client.ts';

/** Entries drawn per map; the rest are counted. The server caps snapshots too. */
const ROWS_SHOWN = 500;

/** Map types whose contents are a stream or references, not key/value data to list. */
const NOT_LISTABLE: Record<string, string> = {
  ringbuf: 'A ring buffer holds records until user space consumes them; there are no entries to list.',
  user_ringbuf: 'A user ring buffer carries records from user space; there are no entries to list.',
  perf_event_array: 'A perf event array holds one perf buffer per CPU; there are no entries to list.',
  prog_array: 'A program array holds programs for tail calls; its entries are program references.',
  stack_trace: 'Stack traces are read by their id; they are not listed here.',
};

interface MapCardProps {
  meta: MapMeta;
  snapshot: MapSnapshot | undefined;
  /** The program is loaded: entries can be written. */
  live: boolean;
  onWrite(map: string, key: Json, value: Json): Promise<RequestResult>;
  onDelete(map: string, key: Json): Promise<RequestResult>;
}

/** One table row: a map entry, or for .bss/.data/.rodata one global variable. */
interface Row {
  id: string;
  keyShown: string;
  keyNumeric: boolean;
  key: Json;
  value: Json;
  valueDesc: TypeDesc | null;
  perCpu?: Json[];
}

/** One map: what it is, its entries, and (when writable) a form to change them. */
export function MapCard({ meta, snapshot, live, onWrite, onDelete }: MapCardProps) {
  const [keyText, setKeyText] = useState('');
  const [valueText, setValueText] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const internal = meta.name.includes('.');
  // Array entries always exist (the kernel refuses to delete them): they can only be overwritten.
  const deletable = !/array/.test(meta.type);
  const previous = useRef(new Map<string, string>());

  const entries = useMemo(() => sortEntries(snapshot?.entries ?? []), [snapshot]);
  // A global-data map is one value holding every global: show (and edit) the globals one by one.
  const globals = internal && entries.length === 1 && isObject(entries[0]!.value) ? (entries[0]!.value as Record<string, Json>) : null;
  const rows: Row[] = useMemo(
    () =>
      globals
        ? Object.entries(globals).map(([name, value]) => ({
            id: name,
            keyShown: name,
            keyNumeric: false,
            key: name,
            value,
            valueDesc: meta.valueDesc?.fields?.find((f) => f.name === name)?.type ?? null,
          }))
        : entries.map((entry) => ({
            id: JSON.stringify(entry.key),
            keyShown: formatJson(entry.key, meta.keyDesc),
            keyNumeric: isNumeric(entry.key, meta.keyDesc),
            key: entry.key,
            value: entry.value,
            valueDesc: meta.valueDesc,
            perCpu: entry.perCpu,
          })),
    [entries, globals, meta],
  );
  // Values that changed since the last snapshot flash once, so a rising counter is easy to see.
  const changed = useMemo(() => {
    const now = new Map<string, string>();
    const flashed = new Set<string>();
    for (const row of rows) {
      const key = row.id;
      const value = JSON.stringify(row.value);
      now.set(key, value);
      const before = previous.current.get(key);
      if (before !== undefined && before !== value) flashed.add(key);
    }
    previous.current = now;
    return flashed;
  }, [rows]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = parseJsonInput(keyText);
    if (!key.ok) return setFormError(`${globals ? 'Variable' : 'Key'}: ${key.error}`);
    const value = parseJsonInput(valueText);
    if (!value.ok) return setFormError(`Value: ${value.error}`);
    let write: { key: Json; value: Json } = { key: key.value, value: value.value };
    if (globals) {
      // The map's one value holds all globals: change the one named, keep the others.
      if (typeof key.value !== 'string' || !(key.value in globals)) return setFormError(`There is no global named ${JSON.stringify(key.value)} in ${meta.name}.`);
      write = { key: entries[0]!.key, value: { ...globals, [key.value]: value.value } };
    }
    setBusy(true);
    const result = await onWrite(meta.name, write.key, write.value);
    setBusy(false);
    setFormError(result.ok ? null : result.error.message);
  };

  const remove = async (key: Json) => {
    const result = await onDelete(meta.name, key);
    setFormError(result.ok ? null : result.error.message);
  };

  const edit = (row: Row) => {
    setKeyText(globals ? row.id : toInputText(row.key));
    setValueText(toInputText(row.value));
    setFormError(null);
  };

  const toggle = (key: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const notListable = NOT_LISTABLE[meta.type];
  const shown = rows.slice(0, ROWS_SHOWN);
  const headingId = `map-${meta.name.replace(/[^\w-]/g, '_')}`;

  return (
    <section className="map-card" aria-labelledby={headingId} data-testid="map-card" data-map={meta.name}>
      <header className="map-header">
        <h3 id={headingId} className="map-name">
          {meta.name}
        </h3>
        <span className="map-type">{meta.type}</span>
        {internal ? (
          <span className="map-shape">
            the program&apos;s globals in <span className="type-name">{meta.valueType ?? meta.name}</span> · {formatNumber(meta.valueSize)} B
            {meta.writable ? '' : ' · read-only'}
          </span>
        ) : meta.type === 'ringbuf' || meta.type === 'user_ringbuf' ? (
          <span className="map-shape">{formatBytes(meta.maxEntries)} buffer</span>
        ) : (
          <span className="map-shape">
            key <span className="type-name">{describeDesc(meta.keyType, meta.keyDesc, meta.keySize)}</span> → value{' '}
            <span className="type-name">{describeDesc(meta.valueType, meta.valueDesc, meta.valueSize)}</span>
            {meta.perCpu && ' per CPU'} · max {formatNumber(meta.maxEntries)}
          </span>
        )}
        {snapshot && !globals && (
          <span className="map-count">
            {plural(snapshot.count, 'entry', 'entries')}
            {snapshot.truncated && ` (first ${formatNumber(snapshot.entries.length)} shown)`}
          </span>
        )}
      </header>

      {snapshot?.error && (
        <p className="map-error" role="alert">
          Could not read the map: {snapshot.error}
        </p>
      )}

      {notListable ? (
        <p className="map-note">{notListable}</p>
      ) : !snapshot ? (
        <p className="map-note">{live ? 'Reading entries…' : 'Entries are read while the program runs.'}</p>
      ) : rows.length === 0 ? (
        <p className="map-note">{globals ? 'No named globals in this section.' : 'No entries yet.'}</p>
      ) : (
        <table className="map-table">
          <thead>
            <tr>
              <th scope="col" className="key-col">
                {globals ? 'variable' : 'key'}
              </th>
              <th scope="col" className="num">
                {meta.perCpu ? 'value (total)' : 'value'}
              </th>
              <th scope="col" className="actions">
                <span className="visually-hidden">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => {
              const key = row.id;
              const keyShown = row.keyShown;
              const open = expanded.has(key);
              return (
                <Fragment key={key}>
                  <tr data-testid="map-entry" className={changed.has(key) ? 'changed' : undefined}>
                    <td className={`key ${row.keyNumeric ? 'num' : ''} ${globals ? 'variable' : ''}`} data-testid="map-key">
                      {keyShown}
                    </td>
                    <td className={isNumeric(row.value, row.valueDesc) ? 'num value' : 'value'} data-testid="map-value">
                      {formatJson(row.value, row.valueDesc)}
                    </td>
                    <td className="actions">
                      {row.perCpu && (
                        <button
                          type="button"
                          className="link-button"
                          aria-expanded={open}
                          aria-label={`Per-CPU values of ${keyShown}`}
                          onClick={() => toggle(key)}
                        >
                          {open ? '▾' : '▸'} {row.perCpu.length} CPUs
                        </button>
                      )}
                      {meta.writable && live && (
                        <>
                          <button type="button" className="link-button" aria-label={`Edit ${keyShown} in ${meta.name}`} onClick={() => edit(row)}>
                            Edit
                          </button>
                          {!globals && deletable && (
                            <button type="button" className="link-button danger" aria-label={`Delete ${keyShown} from ${meta.name}`} onClick={() => void remove(row.key)}>
                              Delete
                            </button>
                          )}
                        </>
                      )}
                    </td>
                  </tr>
                  {open && row.perCpu && (
                    <tr className="per-cpu-row">
                      <td colSpan={3}>
                        <div className="per-cpu-grid">
                          {row.perCpu.map((v, cpu) => (
                            <span key={cpu} className="per-cpu-cell">
                              <span className="per-cpu-label">cpu{cpu}</span>
                              <span className="num">{formatJson(v, meta.valueDesc)}</span>
                            </span>
                          ))}
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      {rows.length > ROWS_SHOWN && <p className="map-note">{formatNumber(rows.length - ROWS_SHOWN)} more entries not drawn.</p>}

      {meta.writable && live && !notListable && (
        <form className="entry-form" onSubmit={(e) => void submit(e)} aria-label={`Write an entry to ${meta.name}`}>
          <label className="entry-field">
            <span className="entry-label">{globals ? 'variable' : 'key'}</span>
            <input
              aria-label={`Key for ${meta.name}`}
              value={keyText}
              onChange={(e) => setKeyText(e.target.value)}
              placeholder={globals ? Object.keys(globals)[0] : placeholderFor(meta.keyDesc)}
              title={`Key: ${describeDesc(meta.keyType, meta.keyDesc, meta.keySize)}, as JSON; a plain word is taken as a string`}
              spellCheck={false}
              autoComplete="off"
            />
          </label>
          <label className="entry-field">
            <span className="entry-label">value</span>
            <input
              aria-label={`Value for ${meta.name}`}
              value={valueText}
              onChange={(e) => setValueText(e.target.value)}
              placeholder={placeholderFor(globals ? (meta.valueDesc?.fields?.find((f) => f.name === keyText.trim())?.type ?? null) : meta.valueDesc)}
              title={`Value: ${describeDesc(meta.valueType, meta.valueDesc, meta.valueSize)}, as JSON${meta.perCpu ? ' (written to CPU 0, the others zero)' : ''}`}
              spellCheck={false}
              autoComplete="off"
            />
          </label>
          <button type="submit" className="tool-button" disabled={busy}>
            Update entry
          </button>
          {formError && (
            <p className="form-error" role="alert">
              {formError}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

function sortEntries(entries: MapEntry[]): MapEntry[] {
  return entries.slice().sort((a, b) => compareJson(a.key, b.key));
}

function compareJson(a: Json, b: Json): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function isObject(value: Json): value is Record<string, Json> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
