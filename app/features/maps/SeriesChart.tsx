'use client';

import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import { useStoreVersion } from '../../common/use-store-version.ts';
import { formatClock, formatNumber } from '../../common/format.ts';
import type { MapHistory, Series } from './map-history.ts';
import { formatCompact, formatRate } from './map-shape.ts';
import { registerChart } from '../../common/test-hook.ts';
import styles from './maps.module.css';
import ui from '../../common/ui.module.css';

const HEIGHT = 150;
/** Colours per series, from the theme's --series-N. */
const SERIES_VARS = 5;

/** Tick steps in seconds: whole seconds at least, since the labels show no fractions. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];

export type SeriesMode = 'value' | 'rate';

interface SeriesChartProps {
  map: string;
  history: MapHistory;
  scheme: ColorScheme;
  mode: SeriesMode;
  /** "key", or "variable" for a map of globals. */
  keyHeading: string;
}

/**
 * The largest keys of a map over the last minutes, drawn by uPlot. The chart
 * is made once per set of keys and fed with setData at most once per
 * animation frame however many samples arrive; a new theme or mode makes it again.
 */
export function SeriesChart({ map, history, scheme, mode, keyHeading }: SeriesChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const [colors, setColors] = useState<string[]>([]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `scheme` is read through getComputedStyle (the colours are CSS variables it switches): a new scheme makes the chart again.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const style = getComputedStyle(element);
    const css = (name: string) => style.getPropertyValue(name).trim();
    const palette = Array.from({ length: SERIES_VARS }, (_, i) => css(`--series-${i}`));
    setColors(palette);
    const axis = {
      stroke: css('--text-muted'),
      grid: { stroke: css('--border'), width: 1 },
      ticks: { stroke: css('--border'), width: 1 },
      font: `11px ${css('--font-ui')}`,
    };

    let plot: uPlot | null = null;
    let shape = '';
    let frame = 0;

    const make = (series: readonly Series[], data: uPlot.AlignedData) => {
      plot?.destroy();
      const options: uPlot.Options = {
        width: Math.max(element.clientWidth, 100),
        height: HEIGHT,
        legend: { show: false },
        cursor: { y: false, points: { size: 6 }, drag: { x: false, y: false, setScale: false } },
        scales: { x: { time: true }, y: { range: (_u, min, max) => yRange(min, max, mode) } },
        axes: [
          // Times of day, as the Output pane shows them; uPlot's default adds a date line.
          { ...axis, space: 80, incrs: TIME_STEPS, values: (_u, splits) => splits.map((s) => formatClock(s).slice(0, 8)) },
          { ...axis, size: 48, values: (_u, splits) => splits.map((v) => formatCompact(v)) },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: palette[i % palette.length],
            width: 1.5,
            spanGaps: false,
            points: { show: false },
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatNumber(v)),
          })),
        ],
        hooks: {
          setCursor: [(u) => setHover(u.cursor.idx ?? null)],
        },
      };
      plot = new uPlot(options, data, element);
    };

    const draw = () => {
      frame = 0;
      const { times, series } = history.series(map);
      const data = chartData(times, series, mode);
      const nextShape = series.map((s) => s.id).join('\u0000');
      if (!plot || nextShape !== shape) {
        shape = nextShape;
        make(series, data);
      } else {
        plot.setData(data);
      }
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };

    draw();
    const unsubscribe = history.subscribe(schedule);
    const resize = new ResizeObserver(() => {
      if (plot && element.clientWidth > 0 && element.clientWidth !== plot.width) plot.setSize({ width: element.clientWidth, height: HEIGHT });
    });
    resize.observe(element);
    const unregister = registerChart(map, () => ({
      view: 'series',
      labels: plot ? plot.series.slice(1).map((s) => String(s.label ?? '')) : [],
      values: plot ? plot.data.slice(1).map((column) => lastValue(column as (number | null)[])) : [],
      points: plot ? plot.data[0].length : 0,
    }));
    return () => {
      unregister();
      unsubscribe();
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
      plot?.destroy();
      plot = null;
    };
  }, [history, map, mode, scheme]);

  return (
    <div className={styles.seriesChart}>
      <div
        ref={container}
        className={styles.seriesPlot}
        role="img"
        aria-label={`${mode === 'rate' ? 'Rate per second' : 'Values'} of ${map}'s largest keys over the last 10 minutes`}
      />
      <SeriesLegend map={map} history={history} colors={colors} hover={hover} keyHeading={keyHeading} />
    </div>
  );
}

/** Beside the chart: each charted key with its colour, its value and its rate (at the cursor while hovering). */
function SeriesLegend({
  map,
  history,
  colors,
  hover,
  keyHeading,
}: {
  map: string;
  history: MapHistory;
  colors: string[];
  hover: number | null;
  keyHeading: string;
}) {
  useStoreVersion(history);
  const { times, series } = history.series(map);
  if (!series.length) return <p className={`${styles.seriesEmpty} ${ui.muted}`}>Waiting for a second reading…</p>;
  const at = hover !== null && hover < times.length ? hover : times.length - 1;
  return (
    <table className={styles.seriesLegend} aria-label={`Keys charted for ${map}`}>
      <thead>
        <tr>
          <th scope="col">{keyHeading}</th>
          <th scope="col" className={`${styles.num} ${ui.num}`}>
            value
          </th>
          <th scope="col" className={`${styles.num} ${ui.num}`}>
            rate
          </th>
        </tr>
      </thead>
      <tbody>
        {series.map((s, i) => {
          const value = s.values[at] ?? null;
          const rate = hover !== null && hover < times.length ? rateAt(times, s.values, at) : history.rate(map, s.id);
          return (
            <tr key={s.id} data-testid="series-key">
              <td className={styles.seriesKey} title={s.label}>
                <span className={styles.swatch} style={{ background: colors[i % colors.length] }} aria-hidden="true" />
                {s.label}
              </td>
              <td className={`${styles.num} ${ui.num}`} data-testid="series-value">
                {value === null ? '—' : formatNumber(value)}
              </td>
              <td className={`${styles.num} ${ui.num} ${ui.muted}`} data-testid="series-rate">
                {formatRate(rate)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** uPlot's columns: seconds, then one column per series (values, or their change per second). */
export function chartData(times: readonly number[], series: readonly Series[], mode: SeriesMode): uPlot.AlignedData {
  const x = times.map((t) => t / 1000);
  const columns = series.map((s) => (mode === 'rate' ? s.values.map((_, i) => rateAt(times, s.values, i)) : s.values.slice()));
  return [x, ...columns] as uPlot.AlignedData;
}

function rateAt(times: readonly number[], values: readonly (number | null)[], i: number): number | null {
  if (i < 1) return null;
  const now = values[i];
  const before = values[i - 1];
  if (now === null || now === undefined || before === null || before === undefined) return null;
  return (now - before) / ((times[i]! - times[i - 1]!) / 1000);
}

/** Counts start from zero so a rise reads as one; a flat line gets some room. */
function yRange(min: number | null, max: number | null, mode: SeriesMode): uPlot.Range.MinMax {
  const low = min ?? 0;
  const high = max ?? 1;
  const floor = mode === 'value' && low >= 0 ? 0 : low;
  if (high === floor) return [floor, floor + Math.max(1, Math.abs(floor) * 0.1)];
  return [floor, high + (high - floor) * 0.08];
}

function lastValue(column: (number | null)[]): number | null {
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== null && column[i] !== undefined) return column[i]!;
  return null;
}
