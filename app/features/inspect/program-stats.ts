// The kernel's run counts and times of each program, as figures and as one sentence.
import { formatNumber, plural } from '../../common/format.ts';

export interface ProgramStat {
  name: string;
  runCount: number;
  runTimeNs: number;
}

/** 840 ns, 12 µs, 31 ms: the unit that keeps the figure short. */
export function formatDuration(ns: number): string {
  if (ns < 10_000) return `${formatNumber(Math.round(ns))} ns`;
  if (ns < 10_000_000) return `${formatNumber(Math.round(ns / 1000))} µs`;
  return `${formatNumber(Math.round(ns / 1_000_000))} ms`;
}

/** "0.042%" of one CPU, with more digits the smaller it is. */
export function formatShare(share: number): string {
  const percent = share * 100;
  if (percent === 0) return '0%';
  return `${percent < 0.01 ? percent.toFixed(4) : percent < 1 ? percent.toFixed(3) : percent.toFixed(1)}%`;
}

/** Runs per second, rounded to what a reader can use: 3.5, 12, 1,204. */
export function formatRate(rate: number): string {
  return formatNumber(rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10);
}

/**
 * One program's figures read as a sentence, so "0 runs/s" beside 67 runs says
 * what it means: nothing ran since the last reading.
 */
export function statSentence(stat: ProgramStat, ratePerSecond: number | undefined): string {
  if (stat.runCount === 0) return `${stat.name} has not run yet: nothing it is attached to has happened since attach.`;
  const each = formatDuration(stat.runTimeNs / stat.runCount);
  const total = `${stat.name} ran ${plural(stat.runCount, 'time')}, ${each} each on average`;
  if (ratePerSecond === undefined) return `${total}.`;
  if (ratePerSecond === 0) return `${total}; not once since the last reading.`;
  return `${total}; lately ${formatRate(ratePerSecond)} times a second.`;
}
