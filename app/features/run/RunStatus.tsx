'use client';

import { useNow } from '../../common/use-now.ts';
import { formatNumber, formatUptime } from '../../common/format.ts';
import type { RunView } from './run-view.ts';
import type { TraceBuffer } from './trace-buffer.ts';
import styles from './run.module.css';

const LABELS: Record<RunView['phase'], string> = {
  idle: 'idle',
  queued: 'queued',
  compiling: 'compiling',
  booting: 'starting VM',
  loading: 'loading',
  attaching: 'attaching',
  running: 'running',
  stopped: 'stopped',
  error: 'error',
};

function formatPercent(share: number): string {
  const percent = share * 100;
  return percent < 1 ? `${percent.toFixed(2)}%` : `${percent.toFixed(percent < 10 ? 1 : 0)}%`;
}

/** One figure of the run's state: its text, and what its tooltip or test id says of it. */
interface Figure {
  key: string;
  text: string;
  title?: string;
  testId?: string;
  /** A stage's time: these read as one list, "compile 142 ms · load 8 ms". */
  timing?: boolean;
}

/** The figures of the run's state after its phase, most telling first: uptime, place in line, rates, then what each stage took. */
function runFigures(view: RunView, trace: TraceBuffer, now: number): Figure[] {
  const running = view.phase === 'running';
  const booting = view.phase === 'booting';
  const { timings } = view;
  const since = view.runningSince;
  const uptime = since ? formatUptime(((running ? now : (view.endedAt ?? now)) - since) / 1000) : null;
  const rate = running ? trace.linesPerSecond(now) : 0;
  const figures: (Figure | false)[] = [
    view.phase === 'queued' &&
      view.queuePosition !== null && {
        key: 'queue',
        testId: 'queue-position',
        text: view.queuePosition === 1 ? 'next for the compiler' : `#${view.queuePosition} in line for the compiler`,
      },
    booting &&
      view.queuePosition !== null && {
        key: 'queue',
        testId: 'queue-position',
        text: view.queuePosition === 1 ? 'next for a VM' : `#${view.queuePosition} in line for a VM`,
      },
    booting &&
      view.bootingSince !== null && {
        key: 'boot',
        testId: 'boot-elapsed',
        text: `booting ${formatUptime(Math.max(0, now - view.bootingSince) / 1000)}`,
        title: 'Your session gets a fresh VM with its own kernel; it is booting',
      },
    !!uptime && (running || view.phase === 'stopped') && { key: 'uptime', text: running ? uptime! : `after ${uptime}` },
    running && trace.total > 0 && { key: 'rate', text: `${rate >= 10 ? formatNumber(Math.round(rate)) : rate.toFixed(1)} lines/s` },
    running &&
      !!view.stats &&
      view.stats.cpuShare >= 0.01 && {
        key: 'cpu',
        text: `cpu ${formatPercent(view.stats.cpuShare)}`,
        title: "CPU time the programs used, as a share of one core, over the server's budget window",
      },
    timings.compileMs !== undefined && { key: 'compile', timing: true, text: `compile ${formatNumber(timings.compileMs)} ms` },
    timings.vmWaitMs !== undefined &&
      timings.vmWaitMs >= 1000 && { key: 'vm', timing: true, text: `VM ${formatNumber(Math.round(timings.vmWaitMs / 100) / 10)} s` },
    timings.loadMs !== undefined && {
      key: 'load',
      timing: true,
      text: `load ${formatNumber(timings.loadMs)} ms`,
      title: timings.skeletonMs !== undefined ? `The skeleton took ${timings.skeletonMs} ms beside the load` : undefined,
    },
    timings.attachMs !== undefined && { key: 'attach', timing: true, text: `attach ${formatNumber(timings.attachMs)} ms` },
  ];
  return figures.filter((f): f is Figure => f !== false);
}

/**
 * The run's state in a few words, with its uptime, line rate and how long each
 * stage took. Where the bar is narrow, the figures that do not fit are left out
 * whole (never cut in the middle), and the tooltip always holds the whole line.
 */
export function RunStatus({ view, trace }: { view: RunView; trace: TraceBuffer }) {
  const now = useNow(view.phase === 'running' || view.phase === 'booting');
  const figures = runFigures(view, trace, now);
  const whole = [LABELS[view.phase], ...figures.map((f) => f.text)].join(' · ');

  return (
    <div className={styles.runStatus} role="status" data-testid="run-status" data-phase={view.phase} title={whole}>
      <span className={`${styles.phaseDot} ${styles[view.phase] ?? ''}`} aria-hidden="true" />
      <span className={styles.phaseLabel} data-testid="run-phase">
        {LABELS[view.phase]}
      </span>
      <span className={styles.figures}>
        {/* Holds the first line, so that a figure wider than the room left goes to the hidden second one, whole. */}
        <span className={styles.figuresStart} aria-hidden="true" />
        {figures.map((figure) => (
          <span
            key={figure.key}
            className={figure.timing ? styles.timing : styles.figure}
            data-testid={figure.testId}
            data-figure={figure.key}
            title={figure.title}
          >
            {/* The text reads "87 lines/s · compile 142 ms · load 8 ms"; the line's start drops the leading space. */}
            {figure.timing ? ` · ${figure.text}` : figure.text}
          </span>
        ))}
      </span>
    </div>
  );
}
