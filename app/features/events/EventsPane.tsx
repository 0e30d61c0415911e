'use client';

import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { Json, MapMeta } from '../../../protocol/messages.ts';
import { useStoreVersion } from '../../common/use-store-version.ts';
import { columnsOf, droppedOf, hexToText, spacedHex, type EventRow, type EventStore } from './event-store.ts';
import { downloadText, eventsToCsv, eventsToJson, exportFileName } from '../export/data-export.ts';
import { formatJson, formatNumber, formatRelative, plural } from '../../common/format.ts';
import type { RequestResult } from '../connection/playground-client.ts';
import type { RunPhase } from '../run/run-view.ts';
import { VirtualList } from '../../common/VirtualList.tsx';
import styles from './events.module.css';
import ui from '../../common/ui.module.css';

const ROW_HEIGHT = 18;
/** The picker's value before the user chose and before a record said what the server decodes as. */
const AUTO = '\u0000auto';

interface EventsPaneProps {
  store: EventStore;
  runId: number | null;
  /** The loaded object's ring buffers and perf event arrays. */
  eventMaps: MapMeta[];
  /** Struct types in the object's BTF: what records may be decoded as. */
  structs: { name: string; size: number }[];
  phase: RunPhase;
  /** Asks the server to decode a map's records as a struct (null: raw bytes). */
  onSetType(map: string, typeName: string | null): Promise<RequestResult>;
  onOpenFile(): void;
}

/**
 * Records from ring buffers and perf buffers as a table: a column per field
 * of the decoded struct, or the raw bytes. Virtualised, pausable, per map.
 */
export function EventsPane({ store, runId, eventMaps, structs, phase, onSetType, onOpenFile }: EventsPaneProps) {
  const version = useStoreVersion(store);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` counts the store's changes; its maps change in place, `store` keeps its identity.
  const mapNames = useMemo(() => {
    const names = eventMaps.map((m) => m.name);
    for (const name of store.maps) if (!names.includes(name)) names.push(name);
    return names;
  }, [eventMaps, store, version]);
  const [picked, setPicked] = useState<string | null>(null);
  const map = picked && mapNames.includes(picked) ? picked : (mapNames[0] ?? null);
  const stream = map ? store.stream(map) : null;

  const [paused, setPaused] = useState<{ map: string; rows: EventRow[]; total: number } | null>(null);
  const [follow, setFollow] = useState(true);
  const [asText, setAsText] = useState(false);
  const [typeChoice, setTypeChoice] = useState<Record<string, string>>({});
  const [typeError, setTypeError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const deferredFilter = useDeferredValue(filter);

  // Columns only ever widen, so arriving records do not make the table jump.
  const widest = useRef(new Map<string, number>());

  // A new run starts with nothing chosen and nothing frozen.
  const shownRun = useRef(runId);
  useEffect(() => {
    if (shownRun.current === runId) return;
    shownRun.current = runId;
    setTypeChoice({});
    setTypeError(null);
    setPaused(null);
    setFollow(true);
    widest.current.clear();
  }, [runId]);

  const livePaused = paused && paused.map === map ? paused : null;
  const source: readonly EventRow[] = livePaused?.rows ?? stream?.rows ?? [];
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` counts the store's changes; the rows behind `source` change in place, the array keeps its identity.
  const rows = useMemo(() => {
    const needle = deferredFilter.trim().toLowerCase();
    if (!needle) return source;
    return source.filter((r) => searchText(r).includes(needle));
  }, [source, deferredFilter, version]);
  // The table's shape: its columns, their widths (which only ever widen), and which hold numbers.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` counts the store's changes; the rows behind `source` change in place, the array keeps its identity.
  const { columns, widths, numeric } = useMemo(() => {
    const columns = columnsOf(source);
    const widths = columnWidths(source, columns).map((w, i) => {
      const most = Math.max(w, widest.current.get(columns[i]!) ?? 0);
      widest.current.set(columns[i]!, most);
      return most;
    });
    return { columns, widths, numeric: numericColumns(source, columns) };
  }, [source, version]);
  const decoded = columns.length > 0;
  const firstAt = stream?.firstAt ?? 0;

  const keyAt = useCallback((i: number) => rows[i]!.seq, [rows]);
  const renderRow = useCallback(
    (i: number) => {
      const row = rows[i]!;
      const value = row.value;
      return (
        <div className={styles.eventRow} data-testid="event-row" style={{ gridTemplateColumns: template(widths, decoded) }}>
          <span className={styles.eventSeq}>{row.seq + 1}</span>
          <span className={styles.eventTime}>{formatRelative((row.at - firstAt) / 1000)}</span>
          {decoded && value && typeof value === 'object' && !Array.isArray(value) ? (
            columns.map((c) => {
              const text = cellText(value[c], c);
              return (
                <span key={c} className={numeric.has(c) ? `${styles.num} ${ui.num}` : undefined} data-field={c} title={text}>
                  {text}
                </span>
              );
            })
          ) : (
            <span
              className={decoded ? `${styles.eventBytes} ${styles.spans}` : styles.eventBytes}
              title={`${formatNumber(row.size)} bytes${row.type ? '' : ', no type known'}`}
            >
              {asText ? hexToText(row.hex) : spacedHex(row.hex)}
            </span>
          )}
        </div>
      );
    },
    [rows, columns, widths, numeric, decoded, asText, firstAt],
  );

  if (!map) return <EventsEmpty phase={phase} onOpenFile={onOpenFile} />;

  // Until the user picks, the server decodes each record as the struct of its size, if there is one.
  const chosen = typeChoice[map] ?? (stream ? (stream.recordType?.replace(/^struct /, '') ?? '') : AUTO);
  const changeType = async (typeName: string) => {
    setTypeError(null);
    const result = await onSetType(map, typeName || null);
    if (result.ok) setTypeChoice((current) => ({ ...current, [map]: typeName }));
    else setTypeError(result.error.message);
  };

  const togglePause = () => {
    if (livePaused) {
      setPaused(null);
      setFollow(true);
    } else {
      setPaused({ map, rows: (stream?.rows ?? []).slice(), total: stream?.total ?? 0 });
    }
  };
  const clear = () => {
    store.clear(map);
    setPaused(null);
    setFollow(true);
  };

  // What is exported is what the table holds: the kept records, frozen when paused, narrowed by the filter.
  const exportAs = (format: 'csv' | 'json') => {
    const text = format === 'csv' ? eventsToCsv(rows) : eventsToJson(map, rows, stream?.recordType ?? null);
    downloadText(exportFileName(`${map}-events`, format), text, format === 'csv' ? 'text/csv' : 'application/json');
  };

  const meta = eventMaps.find((m) => m.name === map);
  const newWhilePaused = livePaused ? (stream?.total ?? 0) - livePaused.total : 0;
  const dropped = stream ? droppedOf(stream) : 0;

  return (
    <section className={styles.eventsPane} aria-label="Events">
      <div className={ui.paneToolbar}>
        <input
          type="search"
          className={`${styles.filterInput} ${ui.filterInput}`}
          placeholder="Filter"
          title="Show only records with a field (or text) containing this"
          aria-label="Filter events"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          spellCheck={false}
        />
        {mapNames.length > 1 ? (
          <label className={`${styles.toolbarLabel} ${ui.toolbarLabel}`}>
            Map
            <select aria-label="Event map" value={map} onChange={(e) => setPicked(e.target.value)}>
              {mapNames.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
        ) : (
          <span
            className={`${styles.toolbarMap} ${ui.mono}`}
            title={meta ? `${meta.type}, ${formatNumber(meta.maxEntries)} ${meta.type === 'ringbuf' ? 'bytes' : 'entries'}` : undefined}
          >
            {map}
          </span>
        )}
        <label className={`${styles.toolbarLabel} ${ui.toolbarLabel}`}>
          as
          <select aria-label={`Decode records of ${map} as`} value={chosen} onChange={(e) => void changeType(e.target.value)} disabled={phase !== 'running'}>
            {chosen === AUTO && (
              <option value={AUTO} disabled>
                the struct of the record&apos;s size
              </option>
            )}
            <option value="">raw bytes</option>
            {structs.map((s) => (
              <option key={s.name} value={s.name}>
                struct {s.name} ({formatNumber(s.size)} B)
              </option>
            ))}
          </select>
        </label>
        {!decoded && source.length > 0 && (
          <button
            type="button"
            className={ui.toolButton}
            aria-pressed={asText}
            onClick={() => setAsText(!asText)}
            title="Show the bytes as text (printable characters, \xNN for the rest)"
          >
            As text
          </button>
        )}
        <button type="button" className={ui.toolButton} aria-pressed={!!livePaused} onClick={togglePause} title="Freeze the view; records keep arriving">
          {livePaused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className={ui.toolButton} onClick={clear} disabled={!stream?.rows.length}>
          Clear
        </button>
      </div>
      {typeError && (
        <p className={`${ui.formError} ${ui.paneError}`} role="alert">
          {typeError}
        </p>
      )}
      {source.length === 0 ? (
        <div className={ui.emptyState} data-testid="events-empty">
          <p className={ui.emptyTitle}>
            {phase === 'running' ? `Waiting for records from ${map}…` : `Records from ${map} appear here while the program runs.`}
          </p>
          <p>
            Each record the program submits shows as a row, with a column per field when its type is known
            {stream?.recordType ? ` (${stream.recordType})` : ''}.
            {phase === 'running' && (
              <>
                {' '}
                If the program watches file opens,{' '}
                <button type="button" className={`${ui.linkButton} ${ui.inline}`} onClick={onOpenFile}>
                  Open a file
                </button>
                .
              </>
            )}
          </p>
        </div>
      ) : (
        <div className={ui.paneBody}>
          <div className={`${styles.eventRow} ${styles.eventHeader}`} aria-hidden="true" style={{ gridTemplateColumns: template(widths, decoded) }}>
            <span className={styles.eventSeq}>#</span>
            <span className={styles.eventTime}>time</span>
            {decoded ? (
              columns.map((c) => (
                <span key={c} className={numeric.has(c) ? `${styles.num} ${ui.num}` : undefined}>
                  {c}
                </span>
              ))
            ) : (
              <span>{asText ? 'bytes as text' : 'bytes (hex)'}</span>
            )}
          </div>
          <VirtualList
            count={rows.length}
            rowHeight={ROW_HEIGHT}
            keyAt={keyAt}
            renderRow={renderRow}
            follow={follow && !livePaused}
            onFollowChange={setFollow}
            label={`Records from ${map}`}
            version={version}
          />
          {!follow && !livePaused && (
            <button type="button" className={ui.jumpBottom} onClick={() => setFollow(true)}>
              ↓ Follow new records
            </button>
          )}
        </div>
      )}
      <div className={ui.paneFooter}>
        <span className={ui.outputCounts} data-testid="event-counts">
          {livePaused && newWhilePaused > 0 && <span className={ui.pausedNote}>{plural(newWhilePaused, 'new record')} while paused · </span>}
          {deferredFilter.trim() ? `${formatNumber(rows.length)} of ${plural(source.length, 'record')}` : plural(source.length, 'record')}
          {dropped > 0 && (
            <span
              className={ui.dropped}
              title={`${formatNumber(stream!.serverDropped)} not delivered (over the session's rate, or the page fell behind), ${formatNumber(stream!.evicted)} pushed out of the last ${formatNumber(store.capacity)} kept here`}
            >
              {' · '}
              {formatNumber(dropped)} dropped
            </span>
          )}
          {(stream?.lost ?? 0) > 0 && (
            <span className={ui.dropped} title="Records the kernel could not write because the perf buffer was full">
              {' · '}
              {formatNumber(stream!.lost)} lost
            </span>
          )}
        </span>
        <span className={ui.footerExport}>
          <span className={ui.muted}>Export</span>
          <button
            type="button"
            className={ui.linkButton}
            aria-label={`Export events from ${map} as CSV`}
            title={`Download the ${formatNumber(rows.length)} records shown as CSV (fields as columns)`}
            onClick={() => exportAs('csv')}
            disabled={!rows.length}
          >
            CSV
          </button>
          <button
            type="button"
            className={ui.linkButton}
            aria-label={`Export events from ${map} as JSON`}
            title={`Download the ${formatNumber(rows.length)} records shown as JSON`}
            onClick={() => exportAs('json')}
            disabled={!rows.length}
          >
            JSON
          </button>
        </span>
      </div>
    </section>
  );
}

function EventsEmpty({ phase, onOpenFile }: { phase: RunPhase; onOpenFile(): void }) {
  return (
    <div className={ui.emptyState} data-testid="events-empty">
      <p className={ui.emptyTitle}>Events from ring buffers and perf buffers appear here.</p>
      <p>
        A program that calls <code>bpf_ringbuf_submit</code> or <code>bpf_perf_event_output</code> streams records to user space; each shows here as a row,
        decoded by its struct&apos;s BTF.
      </p>
      <p className={ui.hint}>
        Try the <strong>open_events_ringbuf</strong> example (Examples ▾ → Ring buffer: one record per openat), press <kbd>Run</kbd>, then{' '}
        {phase === 'running' ? (
          <button type="button" className={`${ui.linkButton} ${ui.inline}`} onClick={onOpenFile}>
            Open a file
          </button>
        ) : (
          <strong>Open a file</strong>
        )}
        .
      </p>
    </div>
  );
}

/** What the filter looks in: the decoded fields' values, or the bytes as text. */
function searchText(row: EventRow): string {
  const value = row.value;
  if (value && typeof value === 'object' && !Array.isArray(value))
    return Object.entries(value)
      .map(([name, v]) => cellText(v, name))
      .join(' ')
      .toLowerCase();
  return hexToText(row.hex).toLowerCase();
}

/** A cell's text: strings bare (a comm, a path), numbers with separators, the rest as the maps show them. */
function cellText(value: Json | undefined, field: string): string {
  if (value === undefined) return '';
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) return value;
  return formatJson(value, null, field);
}

/** Column widths in ch, from the header and the newest rows: numbers fit, text gets room up to a cap. */
function columnWidths(rows: readonly EventRow[], columns: string[]): number[] {
  const widths = columns.map((c) => c.length);
  const from = Math.max(0, rows.length - 200);
  for (let i = from; i < rows.length; i++) {
    const value = rows[i]!.value;
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    columns.forEach((c, j) => {
      widths[j] = Math.max(widths[j]!, cellText(value[c], c).length);
    });
  }
  return widths.map((w) => Math.min(Math.max(w, 3), 40));
}

function numericColumns(rows: readonly EventRow[], columns: string[]): Set<string> {
  const numeric = new Set<string>();
  const last = rows[rows.length - 1]?.value;
  if (!last || typeof last !== 'object' || Array.isArray(last)) return numeric;
  for (const c of columns) {
    const v = last[c];
    if (typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v))) numeric.add(c);
  }
  return numeric;
}

function template(widths: number[], decoded: boolean): string {
  const fixed = '6ch 9ch';
  if (!decoded) return `${fixed} minmax(0, 1fr)`;
  const cols = widths.map((w, i) => (i === widths.length - 1 ? `minmax(${Math.min(w, 12)}ch, 1fr)` : `${w}ch`));
  return `${fixed} ${cols.join(' ')}`;
}
