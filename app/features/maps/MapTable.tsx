'use client';

import { useCallback, useDeferredValue, useMemo, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import type { Json, MapMeta, TypeDesc } from '../../../protocol/messages.ts';
import { useStoreVersion } from '../../common/use-store-version.ts';
import { formatJson, formatNumber, isNumeric } from '../../common/format.ts';
import type { MapHistory } from './map-history.ts';
import { formatRate, type MapRow } from './map-shape.ts';
import { VirtualList } from '../../common/VirtualList.tsx';
import styles from './maps.module.css';
import ui from '../../common/ui.module.css';

const ROW_HEIGHT = 20;
/** Rows in view before the table scrolls inside the card. */
const ROWS_IN_VIEW = 14;
/** Per-CPU values shown on one line of an expanded entry. */
const CPUS_PER_LINE = 4;
/** Below this many rows there is nothing to search. */
const SEARCH_FROM = 9;

interface MapTableProps {
  meta: MapMeta;
  rows: MapRow[];
  /** The rows are a globals map's variables. */
  globals: boolean;
  /** Ids whose value changed in the last snapshot: they flash once. */
  changed: ReadonlySet<string>;
  /** Rates come from here when the values are numbers. */
  history: MapHistory | null;
  /** Entries can be edited and deleted. */
  editable: boolean;
  deletable: boolean;
  editing: string | null;
  onEdit(row: MapRow): void;
  onDelete(row: MapRow): void;
}

type Item = { kind: 'entry'; row: MapRow } | { kind: 'cpus'; row: MapRow; from: number };

/**
 * A map's entries as a table that stays quick at 10,000 rows: only the rows
 * in view are in the DOM (VirtualList), keys are formatted once, and a search
 * box narrows the rows by key. Numbers are right-aligned with separators,
 * rates beside counters, per-CPU values one click away.
 */
export function MapTable({ meta, rows, globals, changed, history, editable, deletable, editing, onEdit, onDelete }: MapTableProps) {
  const [search, setSearch] = useState('');
  const needle = useDeferredValue(search.trim().toLowerCase());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  // Rates change with every sample, values or not.
  useStoreVersion(history ?? NO_HISTORY);

  // Keys never change their text: format each once, however often values change.
  const keyCache = useRef<{ desc: unknown; texts: Map<string, string> }>({ desc: null, texts: new Map() });
  if (keyCache.current.desc !== meta.keyDesc) keyCache.current = { desc: meta.keyDesc, texts: new Map() };
  const keyText = useCallback(
    (row: MapRow) => {
      const texts = keyCache.current.texts;
      let text = texts.get(row.id);
      if (text === undefined) {
        text = globals ? row.id : formatJson(row.key, meta.keyDesc);
        texts.set(row.id, text);
      }
      return text;
    },
    [globals, meta.keyDesc],
  );

  const shown = useMemo(() => (needle ? rows.filter((row) => keyText(row).toLowerCase().includes(needle)) : rows), [rows, needle, keyText]);
  const items = useMemo(() => {
    const out: Item[] = [];
    for (const row of shown) {
      out.push({ kind: 'entry', row });
      if (row.perCpu && expanded.has(row.id)) for (let from = 0; from < row.perCpu.length; from += CPUS_PER_LINE) out.push({ kind: 'cpus', row, from });
    }
    return out;
  }, [shown, expanded]);

  const numericValues = history !== null;
  const keysNumeric = meta.keyDesc ? meta.keyDesc.kind === 'int' : meta.keySize <= 8;
  const valuesNumeric = !globals && rows.length > 0 && isNumeric(rows[0]!.value, rows[0]!.valueDesc);
  // In ch of the table's monospace: "▾ 64 CPUs", "Edit", "Delete", each with its padding.
  const actionsWidth = (meta.perCpu ? 12 : 0) + (editable ? 6 + (deletable ? 8 : 0) : 0);
  // A struct value reads best a field per column, as the Events table shows records.
  const fields = useMemo(() => (globals ? null : valueColumns(meta.valueDesc)), [globals, meta.valueDesc]);
  // Columns only ever widen, so a counter passing 999 → 1,000 does not shift the table every second.
  const widest = useRef<{ fields: unknown; key: number; value: number; cols: number[] }>({ fields: null, key: 0, value: 0, cols: [] });
  const widths = useMemo(() => {
    const now = columnWidths(rows, fields, keyText);
    const w = widest.current.fields === fields ? widest.current : { fields, key: 0, value: 0, cols: [] as number[] };
    widest.current = {
      fields,
      key: Math.max(w.key, now.key),
      value: Math.max(w.value, now.value),
      cols: now.fields.map((n, i) => Math.max(n, w.cols[i] ?? 0)),
    };
    return { key: widest.current.key, value: widest.current.value, fields: widest.current.cols };
  }, [rows, fields, keyText]);
  // Short fields (numbers, enum names) get the room they need; long text and the key share the rest.
  const valueTemplate = fields
    ? fields.map((_, i) => (widths.fields[i]! <= 12 ? `${widths.fields[i]}ch` : `minmax(6ch, ${widths.fields[i]}fr)`)).join(' ')
    : `minmax(8ch, ${widths.value}fr)`;
  const template = `minmax(8ch, ${widths.key}fr) ${valueTemplate}${numericValues ? ' 10ch' : ''}${actionsWidth ? ` ${actionsWidth}ch` : ''}`;

  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  // biome-ignore-start lint/a11y/useSemanticElements lint/a11y/useFocusableInteractive: the entries are an ARIA table of divs: VirtualList places each row in a positioned wrapper, which <table> markup does not allow, and rows laid out as grids keep their table semantics only through these roles; a table, not a grid, so its rows and headers take no focus.
  const renderRow = (i: number): ReactNode => {
    const item = items[i]!;
    const row = item.row;
    if (item.kind === 'cpus') {
      const perCpu = row.perCpu!;
      const cpus = Array.from({ length: Math.min(CPUS_PER_LINE, perCpu.length - item.from) }, (_, j) => item.from + j);
      return (
        <div role="row" className={`${styles.mapRow} ${styles.perCpuLine}`}>
          <span role="cell" className={styles.perCpuCells}>
            {cpus.map((cpu) => (
              <span key={cpu} className={styles.perCpuCell} data-testid="per-cpu-value">
                <span className={styles.perCpuLabel}>cpu{cpu}</span>
                <span className={`${styles.num} ${ui.num}`}>{formatJson(perCpu[cpu]!, meta.valueDesc)}</span>
              </span>
            ))}
          </span>
        </div>
      );
    }
    const key = keyText(row);
    const value = formatJson(row.value, row.valueDesc);
    const open = expanded.has(row.id);
    const classes = [styles.mapRow, changed.has(row.id) ? styles.changed : '', editing === row.id ? styles.editing : '', editable ? styles.clickable : '']
      .filter(Boolean)
      .join(' ');
    // A click on the row, outside its actions, edits it: a mouse shortcut for its Edit button, which the keyboard reaches.
    const onRowClick = (event: MouseEvent) => {
      if (!(event.target instanceof Element && event.target.closest(`.${styles.actions}`))) onEdit(row);
    };
    return (
      // biome-ignore lint/a11y/useKeyWithClickEvents: the click is a shortcut for the row's Edit button, which is in the tab order.
      <div role="row" data-testid="map-entry" className={classes} style={{ gridTemplateColumns: template }} onClick={editable ? onRowClick : undefined}>
        <span
          role="cell"
          className={`${styles.key} ${!globals && isNumeric(row.key, meta.keyDesc) ? `${styles.num} ${ui.num}` : ''} ${globals ? styles.variable : ''}`}
          data-testid="map-key"
          title={key}
        >
          {key}
        </span>
        {fields && row.value && typeof row.value === 'object' && !Array.isArray(row.value) ? (
          fields.map((f) => {
            const v = (row.value as Record<string, Json>)[f.name];
            const text = v === undefined ? '' : formatJson(v, f.type, f.name);
            return (
              <span
                key={f.name}
                role="cell"
                className={v !== undefined && isNumeric(v, f.type) ? `${styles.num} ${ui.num} ${styles.value}` : styles.value}
                data-field={f.name}
                title={`${f.name}: ${text}`}
              >
                {text}
              </span>
            );
          })
        ) : (
          <span
            role="cell"
            className={isNumeric(row.value, row.valueDesc) ? `${styles.num} ${ui.num} ${styles.value}` : styles.value}
            data-testid="map-value"
            title={value}
            style={fields ? { gridColumn: `span ${fields.length}` } : undefined}
          >
            {value}
          </span>
        )}
        {numericValues && (
          <span role="cell" className={`${styles.num} ${ui.num} ${styles.rate}`} data-testid="map-rate">
            {formatRate(history.rate(meta.name, row.id))}
          </span>
        )}
        {actionsWidth > 0 && (
          <span role="cell" className={styles.actions}>
            {row.perCpu && (
              <button type="button" className={ui.linkButton} aria-expanded={open} aria-label={`Per-CPU values of ${key}`} onClick={() => toggle(row.id)}>
                {open ? '▾' : '▸'} {row.perCpu.length} CPUs
              </button>
            )}
            {editable && (
              <button type="button" className={ui.linkButton} aria-label={`Edit ${key} in ${meta.name}`} onClick={() => onEdit(row)}>
                Edit
              </button>
            )}
            {editable && deletable && (
              <button type="button" className={`${ui.linkButton} ${ui.danger}`} aria-label={`Delete ${key} from ${meta.name}`} onClick={() => onDelete(row)}>
                Delete
              </button>
            )}
          </span>
        )}
      </div>
    );
  };
  // biome-ignore-end lint/a11y/useSemanticElements lint/a11y/useFocusableInteractive: the entries' ARIA table ends here.

  const keyAt = useCallback((i: number) => i, []);
  const itemKey = useCallback(
    (i: number) => {
      const item = items[i]!;
      return item.kind === 'entry' ? item.row.id : `${item.row.id}\u0000cpu${item.from}`;
    },
    [items],
  );
  const height = Math.max(1, Math.min(items.length, ROWS_IN_VIEW)) * ROW_HEIGHT;

  return (
    <div>
      {(rows.length >= SEARCH_FROM || search) && (
        <div className={styles.mapSearch}>
          <input
            type="search"
            className={ui.filterInput}
            placeholder={globals ? 'Search variables' : 'Search keys'}
            aria-label={`Search keys of ${meta.name}`}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            spellCheck={false}
          />
          <span className={ui.muted} data-testid="map-search-count">
            {needle ? `${formatNumber(shown.length)} of ${formatNumber(rows.length)}` : `${formatNumber(rows.length)} rows`}
          </span>
        </div>
      )}
      {/* biome-ignore-start lint/a11y/useSemanticElements lint/a11y/useFocusableInteractive: the entries are an ARIA table of divs: VirtualList places each row in a positioned wrapper, which <table> markup does not allow, and rows laid out as grids keep their table semantics only through these roles; a table, not a grid, so its rows and headers take no focus. */}
      <div role="table" aria-label={`Entries of ${meta.name}`} aria-rowcount={shown.length + 1} className={styles.mapGrid}>
        <div role="rowgroup">
          <div role="row" className={`${styles.mapRow} ${styles.mapHead}`} style={{ gridTemplateColumns: template }}>
            <span role="columnheader" className={!globals && keysNumeric ? `${styles.num} ${ui.num}` : undefined}>
              {globals ? 'variable' : 'key'}
            </span>
            {fields ? (
              fields.map((f) => (
                <span
                  key={f.name}
                  role="columnheader"
                  className={f.type.kind === 'int' || f.type.kind === 'float' ? `${styles.num} ${ui.num}` : undefined}
                  title={`value.${f.name}: ${f.type.name}`}
                >
                  {f.name}
                </span>
              ))
            ) : (
              <span role="columnheader" className={valuesNumeric ? `${styles.num} ${ui.num}` : undefined}>
                {meta.perCpu ? 'value (total)' : 'value'}
              </span>
            )}
            {numericValues && (
              <span role="columnheader" className={`${styles.num} ${ui.num}`} title="Change per second between the last two readings">
                rate
              </span>
            )}
            {actionsWidth > 0 && (
              <span role="columnheader">
                <span className={ui.visuallyHidden}>actions</span>
              </span>
            )}
          </div>
        </div>
        {items.length === 0 ? (
          <p className={styles.mapNote}>No key contains “{search.trim()}”.</p>
        ) : (
          <div className={styles.mapGridBody} style={{ height }}>
            <VirtualList
              role="rowgroup"
              count={items.length}
              rowHeight={ROW_HEIGHT}
              keyAt={keyAt}
              itemKey={itemKey}
              renderRow={renderRow}
              follow={false}
              onFollowChange={ignore}
              label={`Rows of ${meta.name}`}
              version={items.length}
            />
          </div>
        )}
      </div>
      {/* biome-ignore-end lint/a11y/useSemanticElements lint/a11y/useFocusableInteractive: the entries' ARIA table ends here. */}
    </div>
  );
}

/** Struct fields shown as columns: up to this many. */
const MAX_FIELD_COLUMNS = 8;

/** The value's fields as columns, when it is a struct of a few fields none of which is a long array (a histogram's slots stay one cell). */
function valueColumns(desc: TypeDesc | null): { name: string; type: TypeDesc }[] | null {
  if (desc?.kind !== 'struct' || !desc.fields) return null;
  const fields = desc.fields.filter((f) => f.name);
  if (fields.length < 2 || fields.length > MAX_FIELD_COLUMNS) return null;
  if (fields.some((f) => f.type.kind === 'array' && !f.type.text && (f.type.length ?? 0) > 4)) return null;
  return fields.map((f) => ({ name: f.name, type: f.type }));
}

/** Relative column widths from the headers and the first rows' text, so a long struct key does not starve short numbers. */
function columnWidths(rows: MapRow[], fields: { name: string; type: TypeDesc }[] | null, keyText: (row: MapRow) => string) {
  const sample = rows.slice(0, 50);
  const clamp = (n: number, cap: number) => Math.min(Math.max(n, 4), cap);
  const key = clamp(Math.max(3, ...sample.map((r) => keyText(r).length)), 40);
  if (!fields) return { key, value: clamp(Math.max(5, ...sample.map((r) => formatJson(r.value, r.valueDesc).length)), 60), fields: [] };
  const widths = fields.map((f) =>
    clamp(
      Math.max(
        f.name.length,
        ...sample.map((r) => {
          const v = r.value && typeof r.value === 'object' && !Array.isArray(r.value) ? r.value[f.name] : undefined;
          return v === undefined ? 0 : formatJson(v, f.type).length;
        }),
      ),
      24,
    ),
  );
  return { key, value: 0, fields: widths };
}

const ignore = () => {};
const NO_HISTORY = { version: 0, subscribe: () => () => {} };
