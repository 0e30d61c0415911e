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

/** The run's state in a few words, with its uptime, line rate and how long each stage took. */
export function RunStatus({ view, trace }: { view: RunView; trace: TraceBuffer }) {
  const running = view.phase === 'running';
  const booting = view.phase === 'booting';
  const now = useNow(running || booting);
  const { timings } = view;
  const steps = [
    timings.compileMs !== undefined && `compile ${formatNumber(timings.compileMs)} ms`,
    timings.vmWaitMs !== undefined && timings.vmWaitMs >= 1000 && `VM ${formatNumber(Math.round(timings.vmWaitMs / 100) / 10)} s`,
    timings.loadMs !== undefined && `load ${formatNumber(timings.loadMs)} ms`,
    timings.attachMs !== undefined && `attach ${formatNumber(timings.attachMs)} ms`,
  ].filter(Boolean);
  const since = view.runningSince;
  const uptime = since ? formatUptime(((running ? now : (view.endedAt ?? now)) - since) / 1000) : null;
  const rate = running ? trace.linesPerSecond(now) : 0;

  return (
    <div className={styles.runStatus} role="status" data-testid="run-status" data-phase={view.phase}>
      <span className={`${styles.phaseDot} ${styles[view.phase] ?? ''}`} aria-hidden="true" />
      <span className={styles.phaseLabel} data-testid="run-phase">
        {LABELS[view.phase]}
      </span>
      {view.phase === 'queued' && view.queuePosition !== null && (
        <span className={styles.phaseExtra} data-testid="queue-position">
          {view.queuePosition === 1 ? 'next for the compiler' : `#${view.queuePosition} in line for the compiler`}
        </span>
      )}
      {booting && view.queuePosition !== null && (
        <span className={styles.phaseExtra} data-testid="queue-position">
          {view.queuePosition === 1 ? 'next for a VM' : `#${view.queuePosition} in line for a VM`}
        </span>
      )}
      {booting && view.bootingSince !== null && (
        <span className={styles.phaseExtra} data-testid="boot-elapsed" title="Your session gets a fresh VM with its own kernel; it is booting">
          booting {formatUptime(Math.max(0, now - view.bootingSince) / 1000)}
        </span>
      )}
      {uptime && (running || view.phase === 'stopped') && <span className={styles.phaseExtra}>{running ? uptime : `after ${uptime}`}</span>}
      {running && trace.total > 0 && <span className={styles.phaseExtra}>{rate >= 10 ? formatNumber(Math.round(rate)) : rate.toFixed(1)} lines/s</span>}
      {running && view.stats && view.stats.cpuShare >= 0.01 && (
        <span className={styles.phaseExtra} title="CPU time the programs used, as a share of one core, over the server's budget window">
          cpu {formatPercent(view.stats.cpuShare)}
        </span>
      )}
      {steps.length > 0 && (
        <span
          className={styles.timings}
          data-testid="run-timings"
          title={timings.skeletonMs !== undefined ? `The skeleton took ${timings.skeletonMs} ms beside the load` : undefined}
        >
          {steps.join(' · ')}
        </span>
      )}
    </div>
  );
}
