'use client';

import { useId, useMemo, useRef, useState } from 'react';
import { z } from 'zod';
import type { Json, MapMeta, MapSnapshot } from '../../../protocol/messages.ts';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import { usePreference } from '../../common/use-preference.ts';
import { useStoreVersion } from '../../common/use-store-version.ts';
import { downloadText, exportFileName, mapToCsv, mapToJson } from '../export/data-export.ts';
import { formatBytes, formatJson, formatNumber, plural } from '../../common/format.ts';
import { describeDesc } from '../../common/json-input.ts';
import { histogramUnit } from './histogram-unit.ts';
import type { MapHistory } from './map-history.ts';
import {
  defaultView,
  hasNumericValues,
  histogramCounts,
  histogramShape,
  isGlobalsMap,
  log2Label,
  mapRows,
  numericRows,
  topRows,
  viewsOf,
  visibleBuckets,
  type HistogramShape,
  type MapRow,
  type MapView,
} from './map-shape.ts';
import type { RequestResult } from '../connection/playground-client.ts';
import { BarChart, type Bar } from './BarChart.tsx';
import { EntryForm, type Prefill } from './EntryForm.tsx';
import { MapTable } from './MapTable.tsx';
import { SeriesChart, type SeriesMode } from './SeriesChart.tsx';
import { Segment } from '../../common/Segment.tsx';
import styles from './maps.module.css';
import ui from '../../common/ui.module.css';

/** Map types whose contents are a stream or references, not key/value data to list. */
const NOT_LISTABLE: Record<string, string> = {
  ringbuf: 'A ring buffer holds records until user space consumes them; there are no entries to list. Its records show in the Events tab.',
  user_ringbuf: 'A user ring buffer carries records from user space; there are no entries to list.',
  perf_event_array: 'A perf event array holds one perf buffer per CPU; there are no entries to list. Its records show in the Events tab.',
  prog_array: 'A program array holds programs for tail calls; its entries are program references.',
  stack_trace: 'Stack traces are read by their id; they are not listed here.',
};

const VIEW_LABELS: Record<MapView, string> = { table: 'Table', series: 'Time series', top: 'Top 10', histogram: 'Histogram' };
const VIEW_TITLES: Record<MapView, string> = {
  table: 'Only the entries',
  series: 'The largest keys over the last 10 minutes, above the entries',
  top: 'The 10 largest values as bars, above the entries',
  histogram: 'The buckets as bars, above the entries',
};
const viewSchema = z.enum(['table', 'series', 'top', 'histogram']);
const TOP_N = 10;

interface MapCardProps {
  meta: MapMeta;
  /** What the playground changed in this map before load (shrunk to fit, a stack depth), in one sentence. */
  change?: string;
  snapshot: MapSnapshot | undefined;
  /** Date.now() of the last maps frame: the export says when the values were read. */
  readAt: number | null;
  /** The program is loaded: entries can be written. */
  live: boolean;
  history: MapHistory;
  scheme: ColorScheme;
  /** What the histogram's buckets count, where the lesson declares it for this map. */
  histogramUnit?: string;
  onWrite(map: string, key: Json, value: Json): Promise<RequestResult>;
  onDelete(map: string, key: Json): Promise<RequestResult>;
}

/** One map: what it is, a chart where one helps, its entries, export, and a form to change them. */
export function MapCard({ meta, change, snapshot, readAt, live, history, scheme, histogramUnit: declaredUnit, onWrite, onDelete }: MapCardProps) {
  const internal = isGlobalsMap(meta);
  // Array entries always exist (the kernel refuses to delete them): they can only be overwritten.
  const deletable = !/array/.test(meta.type);
  const views = useMemo(() => viewsOf(meta), [meta]);
  const [preferred, setPreferred] = usePreference<MapView>(`map-view:${meta.name}`, viewSchema, defaultView(meta));
  const view = views.includes(preferred) ? preferred : defaultView(meta);
  const [prefill, setPrefill] = useState<Prefill | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const viewGroup = useId();

  const entries = useMemo(() => snapshot?.entries ?? [], [snapshot]);
  const { rows, globals } = useMemo(() => mapRows(meta, entries), [meta, entries]);
  const ids = useMemo(() => new Set(rows.map((r) => r.id)), [rows]);

  // Values that changed since the last snapshot flash once, so a rising counter is easy to see.
  // Unchanged entries keep their objects across delta frames: only new ones are compared as text.
  const previous = useRef(new Map<string, Json>());
  const changed = useMemo(() => {
    const flashed = new Set<string>();
    const now = new Map<string, Json>();
    for (const row of rows) {
      now.set(row.id, row.value);
      const before = previous.current.get(row.id);
      if (before !== undefined && before !== row.value && JSON.stringify(before) !== JSON.stringify(row.value)) flashed.add(row.id);
    }
    previous.current = now;
    return flashed;
  }, [rows]);

  const notListable = NOT_LISTABLE[meta.type];
  const editable = meta.writable && live && !notListable;
  const headingId = `map-${meta.name.replace(/[^\w-]/g, '_')}`;

  const edit = (row: MapRow) => {
    setEditing(row.id);
    setPrefill((p) => ({ key: row.key, value: row.value, nonce: (p?.nonce ?? 0) + 1 }));
  };
  const remove = async (row: MapRow) => {
    const result = await onDelete(meta.name, row.key);
    setRowError(result.ok ? null : result.error.message);
  };

  const exportAs = (format: 'csv' | 'json') => {
    const text =
      format === 'csv' ? mapToCsv(meta, entries) : mapToJson(meta, entries, { readAt, count: snapshot?.count ?? 0, truncated: snapshot?.truncated ?? false });
    downloadText(exportFileName(meta.name, format), text, format === 'csv' ? 'text/csv' : 'application/json');
  };

  return (
    <section className={styles.mapCard} aria-labelledby={headingId} data-testid="map-card" data-map={meta.name}>
      <header className={styles.mapHeader}>
        <h3 id={headingId} className={styles.mapName}>
          {meta.name}
        </h3>
        <span className={styles.mapType}>{meta.type}</span>
        {internal ? (
          <span className={styles.mapShape}>
            {meta.valueType || !/^\.rodata\.str/.test(meta.name) ? (
              <>
                the program&apos;s globals in <span className={styles.typeName}>{meta.valueType ?? meta.name}</span>
              </>
            ) : (
              // clang's section of the program's string literals: no variables, so no BTF type to name.
              'the string literals the program uses'
            )}{' '}
            · {formatNumber(meta.valueSize)} B{meta.writable ? '' : ' · read-only'}
          </span>
        ) : meta.type === 'ringbuf' || meta.type === 'user_ringbuf' ? (
          <span className={styles.mapShape}>{formatBytes(meta.maxEntries)} buffer</span>
        ) : (
          <span className={styles.mapShape}>
            key <span className={styles.typeName}>{describeDesc(meta.keyType, meta.keyDesc, meta.keySize)}</span> → value{' '}
            <span className={styles.typeName}>{describeDesc(meta.valueType, meta.valueDesc, meta.valueSize)}</span>
            {meta.perCpu && ' per CPU'} · max {formatNumber(meta.maxEntries)}
          </span>
        )}
        <span className={styles.mapHeaderEnd}>
          {snapshot && !globals && (
            <span className={styles.mapCount}>
              {plural(snapshot.count, 'entry', 'entries')}
              {snapshot.truncated && ` (first ${formatNumber(snapshot.entries.length)} shown)`}
            </span>
          )}
          {!notListable && views.length > 1 && (
            <span className={`${ui.segments} ${styles.mapViews}`} role="radiogroup" aria-label={`View of ${meta.name}`}>
              {views.map((v) => (
                <Segment key={v} name={viewGroup} checked={view === v} className={styles.segment} title={VIEW_TITLES[v]} onSelect={() => setPreferred(v)}>
                  {VIEW_LABELS[v]}
                </Segment>
              ))}
            </span>
          )}
          {!notListable && (
            <span className={styles.mapExport}>
              <button
                type="button"
                className={ui.linkButton}
                aria-label={`Export ${meta.name} as CSV`}
                title="Download the entries as read last, as CSV"
                disabled={!snapshot}
                onClick={() => exportAs('csv')}
              >
                CSV
              </button>
              <button
                type="button"
                className={ui.linkButton}
                aria-label={`Export ${meta.name} as JSON`}
                title="Download the entries as read last, as JSON"
                disabled={!snapshot}
                onClick={() => exportAs('json')}
              >
                JSON
              </button>
            </span>
          )}
        </span>
      </header>
      {change && (
        <p className={styles.mapChange} role="note" data-testid="map-change">
          {change}
        </p>
      )}

      {snapshot?.error && (
        <p className={styles.mapError} role="alert">
          Could not read the map: {snapshot.error}
        </p>
      )}

      {notListable ? (
        <p className={styles.mapNote}>{notListable}</p>
      ) : !snapshot ? (
        <p className={styles.mapNote}>{live ? 'Reading entries…' : 'Entries are read while the program runs.'}</p>
      ) : (
        <>
          {/* A map with no entries has nothing to chart: no empty axes, only the sentence below. */}
          {rows.length > 0 && view === 'series' && <SeriesView meta={meta} history={history} scheme={scheme} />}
          {rows.length > 0 && view === 'top' && <TopView meta={meta} rows={rows} history={history} />}
          {rows.length > 0 && view === 'histogram' && <HistogramView meta={meta} shape={histogramShape(meta)!} rows={rows} declaredUnit={declaredUnit} />}
          {rows.length === 0 ? (
            <p className={styles.mapNote}>{globals ? 'No named globals in this section.' : 'No entries yet.'}</p>
          ) : (
            <MapTable
              meta={meta}
              rows={rows}
              globals={!!globals}
              changed={changed}
              history={hasNumericValues(meta) ? history : null}
              editable={editable}
              deletable={!globals && deletable}
              editing={editing}
              onEdit={edit}
              onDelete={(row) => void remove(row)}
            />
          )}
        </>
      )}
      {rowError && (
        <p className={`${ui.formError} ${styles.mapRowError}`} role="alert">
          {rowError}
        </p>
      )}

      {editable && (
        <EntryForm
          // A globals map is written a variable at a time once its one entry is read: a new form then.
          key={`${meta.keyType}:${meta.valueType}:${globals ? 'globals' : 'entries'}`}
          meta={meta}
          globals={globals}
          globalsKey={globals ? entries[0]!.key : null}
          hasKey={(id) => ids.has(id)}
          prefill={prefill}
          onWrite={onWrite}
          onDelete={onDelete}
        />
      )}
    </section>
  );
}

function SeriesView({ meta, history, scheme }: { meta: MapMeta; history: MapHistory; scheme: ColorScheme }) {
  const [mode, setMode] = useState<SeriesMode>('value');
  const modeGroup = useId();
  return (
    <div className={styles.mapChart} data-testid="map-chart" data-view="series">
      <div className={styles.chartControls}>
        <span className={ui.segments} role="radiogroup" aria-label={`Plot of ${meta.name}`}>
          <Segment name={modeGroup} checked={mode === 'value'} className={styles.segment} onSelect={() => setMode('value')}>
            value
          </Segment>
          <Segment name={modeGroup} checked={mode === 'rate'} className={styles.segment} onSelect={() => setMode('rate')}>
            rate/s
          </Segment>
        </span>
        <span className={ui.muted}>largest {history.seriesPerMap} keys · last 10 minutes</span>
      </div>
      <SeriesChart map={meta.name} history={history} scheme={scheme} mode={mode} keyHeading={isGlobalsMap(meta) ? 'variable' : 'key'} />
    </div>
  );
}

function TopView({ meta, rows, history }: { meta: MapMeta; rows: MapRow[]; history: MapHistory }) {
  // Rates are sampled after the rows render: read them again when they are.
  useStoreVersion(history);
  const numeric = useMemo(() => numericRows(rows), [rows]);
  const top = useMemo(() => topRows(numeric, TOP_N), [numeric]);
  const bars: Bar[] = top.map((r) => ({ id: r.id, label: formatJson(r.key, meta.keyDesc), value: r.value, rate: history.rate(meta.name, r.id) }));
  return (
    <div className={styles.mapChart} data-testid="map-chart" data-view="top">
      <div className={styles.chartControls}>
        <span className={ui.muted}>
          {numeric.length > TOP_N ? `the ${TOP_N} largest of ${formatNumber(numeric.length)} values` : `all ${plural(numeric.length, 'value')}, largest first`}
        </span>
      </div>
      {bars.length ? (
        <BarChart map={meta.name} view="top" bars={bars} label={`Top ${TOP_N} of ${meta.name}`} labelHeading="key" showRates />
      ) : (
        <p className={styles.mapNote}>No values yet.</p>
      )}
    </div>
  );
}

function HistogramView({ meta, shape, rows, declaredUnit }: { meta: MapMeta; shape: HistogramShape; rows: MapRow[]; declaredUnit?: string }) {
  const [log2, setLog2] = useState(shape.log2);
  const unit = histogramUnit(meta, shape, declaredUnit);
  const bucketGroup = useId();
  const [source, setSource] = useState<string>('');
  const pickable = shape.kind === 'slots' && rows.length > 1;
  const picked = pickable && source && rows.some((r) => r.id === source) ? source : '';
  const counts = useMemo(() => histogramCounts(shape, rows, picked ? { all: false, id: picked } : { all: true }), [shape, rows, picked]);
  const range = visibleBuckets(counts);
  const bars: Bar[] = [];
  if (range) for (let i = range.from; i <= range.to; i++) bars.push({ id: String(i), label: log2 ? log2Label(i) : String(i), value: counts[i]! });
  const total = counts.reduce((a, b) => a + b, 0);
  return (
    <div className={styles.mapChart} data-testid="map-chart" data-view="histogram">
      <div className={styles.chartControls}>
        <span className={ui.segments} role="radiogroup" aria-label={`Buckets of ${meta.name}`}>
          <Segment
            name={bucketGroup}
            checked={log2}
            className={styles.segment}
            onSelect={() => setLog2(true)}
            title="Bucket i holds 2^i to 2^(i+1)-1, as bcc's log2 histograms"
          >
            log2
          </Segment>
          <Segment name={bucketGroup} checked={!log2} className={styles.segment} onSelect={() => setLog2(false)} title="Label buckets by their index">
            index
          </Segment>
        </span>
        {pickable && (
          <label className={ui.toolbarLabel}>
            of
            <select aria-label={`Histogram of which entry of ${meta.name}`} value={picked} onChange={(e) => setSource(e.target.value)}>
              <option value="">all {formatNumber(rows.length)} entries, summed</option>
              {rows.slice(0, 200).map((r) => (
                <option key={r.id} value={r.id}>
                  {formatJson(r.key, meta.keyDesc)}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className={ui.muted}>
          {plural(total, 'event')}
          {shape.kind === 'slots' ? ` in ${shape.path.join('.') || 'the value'}[${shape.length}]` : ` in ${shape.length} buckets`}
        </span>
      </div>
      {bars.length ? (
        <BarChart
          map={meta.name}
          view="histogram"
          bars={bars}
          label={`Histogram of ${meta.name}`}
          labelHeading={bucketHeading(log2, shape.log2, unit)}
          valueHeading="count"
          showHeadings={unit !== null}
        />
      ) : (
        <p className={styles.mapNote}>Every bucket is empty so far.</p>
      )}
    </div>
  );
}

/**
 * The bucket column's heading: a log2 range is in the unit ("µs", as bcc prints "usecs"); an index
 * is the log2 of it only where the map is known to be log2 (by its name), else just a bucket.
 */
function bucketHeading(log2: boolean, knownLog2: boolean, unit: string | null): string {
  if (log2) return unit ?? 'range';
  return unit && knownLog2 ? `bucket (log2 of ${unit})` : 'bucket';
}
