'use client';

import { useEffect, useRef } from 'react';
import { formatNumber } from '../../common/format.ts';
import { formatRate } from './map-shape.ts';
import { registerChart, type ChartState } from '../../common/test-hook.ts';
import styles from './maps.module.css';
import ui from '../../common/ui.module.css';

export interface Bar {
  id: string;
  label: string;
  value: number;
  /** Change per second, for top-N bars of counters. */
  rate?: number | null;
}

interface BarChartProps {
  map: string;
  view: 'histogram' | 'top';
  bars: Bar[];
  /** The table's name for assistive tech and tests: "Histogram of open_hist". */
  label: string;
  /** The label column's heading: "bucket", "key", or a histogram's unit ("µs"). */
  labelHeading: string;
  /** The value column's heading: "value", a histogram's "count". */
  valueHeading?: string;
  /** Shows the headings above the bars (a histogram whose unit is known, as bcc prints "usecs : count"); else only assistive tech reads them. */
  showHeadings?: boolean;
  showRates?: boolean;
}

/**
 * Horizontal bars, as bcc's histograms and `top` print them: the label, a bar
 * scaled to the largest value, the value. HTML rather than a canvas here:
 * bucket ranges and map keys are text that must stay readable (a rotated
 * "1K→2K" under a 20-pixel column is not), values stay selectable, and the
 * bars update with a width change instead of a redraw. uPlot draws the time series.
 */
export function BarChart({ map, view, bars, label, labelHeading, valueHeading = 'value', showHeadings = false, showRates = false }: BarChartProps) {
  const max = bars.reduce((m, b) => Math.max(m, b.value), 0);
  const total = bars.reduce((sum, b) => sum + b.value, 0);
  const latest = useRef<ChartState>({ view, labels: [], values: [], points: 0 });
  latest.current = { view, labels: bars.map((b) => b.label), values: bars.map((b) => b.value), points: bars.length };
  useEffect(() => registerChart(map, () => latest.current), [map]);

  return (
    <table className={styles.barChart} aria-label={label}>
      <thead className={showHeadings ? styles.barHeadings : ui.visuallyHidden}>
        <tr>
          <th scope="col" className={styles.barLabel}>
            {labelHeading}
          </th>
          <th scope="col">
            <span className={ui.visuallyHidden}>bar</span>
          </th>
          <th scope="col" className={`${styles.num} ${ui.num}`}>
            {valueHeading}
          </th>
          {showRates && <th scope="col">rate</th>}
        </tr>
      </thead>
      <tbody>
        {bars.map((bar) => {
          const share = max > 0 ? bar.value / max : 0;
          return (
            <tr
              key={bar.id}
              data-testid="bar"
              title={total > 0 ? `${bar.label}: ${formatNumber(bar.value)} (${((bar.value / total) * 100).toFixed(1)}% of ${formatNumber(total)})` : undefined}
            >
              <th scope="row" className={styles.barLabel}>
                {bar.label}
              </th>
              <td className={styles.barTrack} aria-hidden="true">
                <span className={styles.barFill} style={{ width: bar.value > 0 ? `max(1px, ${share * 100}%)` : 0 }} />
              </td>
              <td className={`${styles.num} ${ui.num} ${styles.barValue}`} data-testid="bar-value">
                {formatNumber(bar.value)}
              </td>
              {showRates && <td className={`${styles.num} ${ui.num} ${styles.barRate} ${ui.muted}`}>{formatRate(bar.rate)}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
