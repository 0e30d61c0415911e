import { useEffect, useRef } from 'react';
import type { Json, MapMeta, MapSnapshot } from '../../../protocol/messages.ts';
import { formatJson } from '../../common/format.ts';
import type { MapHistory } from './map-history.ts';
import { hasNumericValues, isGlobalsMap, mapRows, numericRows, type NumericRow } from './map-shape.ts';
import type { RunView } from '../run/run-view.ts';

/**
 * Feeds the run's map snapshots into the history the charts draw. The server
 * sends a map only when it changed, so while the program runs and nothing
 * arrives for one and a half refresh intervals, the same values are sampled
 * again: a counter that stopped reads a rate of 0, not its last one.
 */
export function useMapHistory(
  history: MapHistory,
  view: Pick<RunView, 'runId' | 'phase' | 'maps' | 'snapshots' | 'snapshotAt'>,
  intervalMs: number,
  connected: boolean,
): void {
  const latest = useRef(view);
  latest.current = view;

  // A new run's charts start empty.
  const historyRun = useRef(view.runId);
  useEffect(() => {
    if (historyRun.current === view.runId) return;
    historyRun.current = view.runId;
    history.reset();
  }, [history, view.runId]);

  useEffect(() => {
    if (view.snapshotAt !== null) record(history, view.maps, view.snapshots, view.snapshotAt);
  }, [history, view.maps, view.snapshots, view.snapshotAt]);

  const running = view.phase === 'running' && connected;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      const last = history.lastSampleAt;
      const now = Date.now();
      if (last !== null && now - last >= intervalMs * 1.5) record(history, latest.current.maps, latest.current.snapshots, now);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [history, running, intervalMs]);
}

function record(history: MapHistory, maps: MapMeta[], snapshots: Record<string, MapSnapshot>, at: number): void {
  const samples: Record<string, NumericRow[]> = {};
  const metas = new Map<string, MapMeta>();
  for (const meta of maps) {
    const snapshot = snapshots[meta.name];
    if (!snapshot || snapshot.error || !hasNumericValues(meta)) continue;
    samples[meta.name] = numericRows(mapRows(meta, snapshot.entries, false).rows);
    metas.set(meta.name, meta);
  }
  history.record(samples, at, (map: string, key: Json) => {
    const meta = metas.get(map);
    return !meta || isGlobalsMap(meta) ? String(key) : formatJson(key, meta.keyDesc);
  });
}
