'use client';

import type { Json, MapMeta, MapSnapshot, ObjectChange } from '../../../protocol/messages.ts';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import { formatClock } from '../../common/format.ts';
import type { MapHistory } from './map-history.ts';
import type { RequestResult } from '../connection/playground-client.ts';
import type { SeedRow } from '../workspace/saved-work.ts';
import { GlobalsGroup } from './GlobalsGroup.tsx';
import { MapCard } from './MapCard.tsx';
import { isGlobalsMap } from './map-shape.ts';
import { SeedsEditor } from './SeedsEditor.tsx';
import styles from './maps.module.css';
import ui from '../../common/ui.module.css';

const INTERVALS = [250, 500, 1000, 2000, 5000, 10_000];

interface MapsPaneProps {
  maps: MapMeta[];
  /** What the playground changed before load; a map's own change is shown on its card. */
  changes: ObjectChange[];
  snapshots: Record<string, MapSnapshot>;
  snapshotAt: number | null;
  /** The program is loaded (entries can be read and written). */
  live: boolean;
  seeds: SeedRow[];
  onSeedsChange(seeds: SeedRow[]): void;
  intervalMs: number;
  onIntervalChange(ms: number): void;
  onWrite(map: string, key: Json, value: Json): Promise<RequestResult>;
  onDelete(map: string, key: Json): Promise<RequestResult>;
  /** Numeric values over time, for the charts and rates. */
  history: MapHistory;
  scheme: ColorScheme;
  /** What a map's histogram buckets count, by map name, where the lesson says (`{ hist: "µs" }`). */
  histogramUnits?: Record<string, string>;
}

/**
 * Every map the loaded object defines, its entries as the server last read them, its global variables
 * folded below them, and the seeds for the next run.
 */
export function MapsPane(props: MapsPaneProps) {
  const { maps, snapshots, snapshotAt, live, intervalMs } = props;
  const own = maps.filter((m) => !isGlobalsMap(m));
  const globals = maps.filter(isGlobalsMap);
  const card = (meta: MapMeta) => (
    <MapCard
      key={meta.name}
      meta={meta}
      change={props.changes.find((c) => c.kind === 'map' && c.name === meta.name)?.message}
      snapshot={snapshots[meta.name]}
      readAt={snapshotAt}
      live={live}
      history={props.history}
      scheme={props.scheme}
      histogramUnit={props.histogramUnits?.[meta.name]}
      onWrite={props.onWrite}
      onDelete={props.onDelete}
    />
  );
  return (
    <section className={styles.mapsPane} aria-label="Maps">
      <div className={ui.paneToolbar}>
        <label className={ui.toolbarLabel}>
          Refresh every
          <select aria-label="Refresh interval" value={intervalMs} onChange={(e) => props.onIntervalChange(Number(e.target.value))}>
            {INTERVALS.map((ms) => (
              <option key={ms} value={ms}>
                {ms < 1000 ? `${ms} ms` : `${ms / 1000} s`}
              </option>
            ))}
          </select>
        </label>
        <span className={ui.spacer} />
        {snapshotAt && (
          <span className={ui.muted} data-testid="maps-read-at">
            read at {formatClock(snapshotAt / 1000)}
          </span>
        )}
      </div>
      <div className={styles.mapsScroll}>
        {maps.length === 0 ? (
          <div className={ui.emptyState} data-testid="maps-empty">
            <p className={ui.emptyTitle}>Maps appear here after the program is loaded.</p>
            <p>
              Each map shows its type, its key and value types, and its entries, read again every{' '}
              {intervalMs < 1000 ? `${intervalMs} ms` : `${intervalMs / 1000} s`} while the program runs.
            </p>
          </div>
        ) : (
          <>
            {own.length === 0 && (
              <p className={styles.mapNote} data-testid="maps-none-defined">
                The program defines no maps in SEC(&quot;.maps&quot;); its global variables are below.
              </p>
            )}
            {own.map(card)}
            {globals.length > 0 && <GlobalsGroup maps={globals}>{globals.map(card)}</GlobalsGroup>}
          </>
        )}
        <SeedsEditor seeds={props.seeds} onChange={props.onSeedsChange} mapNames={maps.filter((m) => m.writable).map((m) => m.name)} />
      </div>
    </section>
  );
}
