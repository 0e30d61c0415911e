import type { Json } from '../../../protocol/messages.ts';
import type { NumericRow } from './map-shape.ts';

/** How far back the time series reach. */
export const HISTORY_MS = 10 * 60_000;
/** Keys charted per map: the largest values win a line. */
export const SERIES_PER_MAP = 5;
/** Points kept per map however fast the maps are read (10 minutes at 250 ms is 2,400). */
const MAX_POINTS = 2_400;

export interface Series {
  id: string;
  label: string;
  /** One value per time; null before the key existed or while it was gone. */
  values: (number | null)[];
}

interface Track {
  /** Date.now() of each sample, oldest first. */
  times: number[];
  series: Series[];
  /** Every key's value at the last sample, for the next rate. */
  last: Map<string, number>;
  lastAt: number | null;
  /** Change per second between the last two samples, per key. */
  rates: Map<string, number>;
}

/**
 * Numeric map values over time, outside React: each maps frame (and, while
 * nothing changes, a heartbeat at the refresh interval: the server sends
 * only changes) appends one sample per map. The few largest keys of each map
 * keep a series for the chart; every key keeps its latest rate.
 * Views re-render at most once per animation frame (useStoreVersion).
 */
export class MapHistory {
  private readonly tracks = new Map<string, Track>();
  private readonly listeners = new Set<() => void>();
  version = 0;
  /** Date.now() of the last sample of any map. */
  lastSampleAt: number | null = null;

  constructor(
    readonly windowMs = HISTORY_MS,
    readonly seriesPerMap = SERIES_PER_MAP,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One sample of several maps at once; `label` names a key for the chart's legend. */
  record(samples: Record<string, NumericRow[]>, at: number, label: (map: string, key: Json) => string): void {
    let any = false;
    for (const [map, rows] of Object.entries(samples)) any = this.sample(map, rows, at, (key) => label(map, key)) || any;
    if (!any) return;
    this.lastSampleAt = at;
    this.changed();
  }

  /** The map's charted series and their times (shared arrays: read, do not keep). */
  series(map: string): { times: readonly number[]; series: readonly Series[] } {
    const track = this.tracks.get(map);
    return track ? { times: track.times, series: track.series } : { times: [], series: [] };
  }

  /** A key's change per second between the last two samples, or null before there are two. */
  rate(map: string, id: string): number | null {
    return this.tracks.get(map)?.rates.get(id) ?? null;
  }

  /** Forgets everything: a new run starts. */
  reset(): void {
    this.tracks.clear();
    this.lastSampleAt = null;
    this.changed();
  }

  private sample(map: string, rows: NumericRow[], at: number, label: (key: Json) => string): boolean {
    let track = this.tracks.get(map);
    if (!track) {
      track = { times: [], series: [], last: new Map(), lastAt: null, rates: new Map() };
      this.tracks.set(map, track);
    }
    if (track.lastAt !== null && at <= track.lastAt) return false;

    const now = new Map<string, number>();
    for (const row of rows) now.set(row.id, row.value);
    const rates = new Map<string, number>();
    if (track.lastAt !== null) {
      const seconds = (at - track.lastAt) / 1000;
      for (const [id, value] of now) {
        const before = track.last.get(id);
        if (before !== undefined) rates.set(id, (value - before) / seconds);
      }
    }
    track.rates = rates;
    track.last = now;
    track.lastAt = at;

    track.times.push(at);
    for (const s of track.series) s.values.push(now.get(s.id) ?? null);
    this.pickSeries(track, rows, label);
    this.trim(track, at);
    return true;
  }

  /**
   * The largest keys get a line. A key that rises into the top takes the line of
   * the smallest one that fell out, so lines do not flicker in and out while
   * values are close.
   */
  private pickSeries(track: Track, rows: NumericRow[], label: (key: Json) => string): void {
    const top = rows
      .slice()
      .sort((a, b) => b.value - a.value)
      .slice(0, this.seriesPerMap);
    const charted = new Set(track.series.map((s) => s.id));
    const inTop = new Set(top.map((r) => r.id));
    for (const row of top) {
      if (charted.has(row.id)) continue;
      if (track.series.length >= this.seriesPerMap) {
        let weakest = -1;
        let weakestValue = Infinity;
        track.series.forEach((s, i) => {
          if (inTop.has(s.id)) return;
          const v = track.last.get(s.id) ?? -Infinity;
          if (v < weakestValue) {
            weakest = i;
            weakestValue = v;
          }
        });
        if (weakest < 0 || weakestValue >= row.value) continue;
        track.series.splice(weakest, 1);
      }
      const values = new Array<number | null>(track.times.length - 1).fill(null);
      values.push(row.value);
      track.series.push({ id: row.id, label: label(row.key), values });
      charted.add(row.id);
    }
  }

  private trim(track: Track, at: number): void {
    let drop = 0;
    while (drop < track.times.length && track.times[drop]! < at - this.windowMs) drop++;
    drop = Math.max(drop, track.times.length - MAX_POINTS);
    if (drop <= 0) return;
    track.times.splice(0, drop);
    for (const s of track.series) s.values.splice(0, drop);
    // A key gone for the whole window has nothing left to draw.
    track.series = track.series.filter((s) => s.values.some((v) => v !== null));
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
