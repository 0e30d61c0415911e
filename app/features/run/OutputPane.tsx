'use client';

import { useCallback, useDeferredValue, useMemo, useState, type ReactNode } from 'react';
import { z } from 'zod';
import { usePreference } from '../../common/use-preference.ts';
import { useTraceVersion } from './use-trace-buffer.ts';
import { formatClock, formatNumber, formatRelative, plural, shortcut } from '../../common/format.ts';
import type { RunPhase } from './run-view.ts';
import type { TraceBuffer, TraceRow } from './trace-buffer.ts';
import { VirtualList } from '../../common/VirtualList.tsx';
import styles from './run.module.css';
import ui from '../../common/ui.module.css';

const ROW_HEIGHT = 18;

interface OutputPaneProps {
  trace: TraceBuffer;
  phase: RunPhase;
  /** The example's "what to expect", shown until lines arrive. */
  expect: string | null;
  /** Shown while the program has ring buffers or perf buffers: their records are in the Events tab. */
  onShowEvents?: () => void;
  /** Where Run loads the program: "this machine's kernel", "your own VM's kernel". */
  where: string;
}

/**
 * bpf_printk lines as they arrive: virtualised, filterable, pausable, and
 * following the bottom unless the user scrolls up.
 */
export function OutputPane({ trace, phase, expect, onShowEvents, where }: OutputPaneProps) {
  const version = useTraceVersion(trace);
  const [filter, setFilter] = useState('');
  const deferredFilter = useDeferredValue(filter);
  const [paused, setPaused] = useState<{ rows: readonly TraceRow[]; total: number } | null>(null);
  const [follow, setFollow] = useState(true);
  // Scrolled up, the view holds still: under a flood the buffer is replaced many times a second.
  const [frozen, setFrozen] = useState<{ rows: readonly TraceRow[]; total: number } | null>(null);
  const [timeMode, setTimeMode] = usePreference('time-mode', z.enum(['relative', 'absolute']), 'relative');

  const source = paused?.rows ?? frozen?.rows ?? trace.lines;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` counts the buffer's changes; the lines behind `source` change in place, the array keeps its identity.
  const rows = useMemo(() => {
    const needle = deferredFilter.trim().toLowerCase();
    if (!needle) return source;
    return source.filter((r) => r.text.toLowerCase().includes(needle) || r.comm.toLowerCase().includes(needle) || String(r.pid) === needle);
  }, [source, deferredFilter, version]);

  const keyAt = useCallback((i: number) => rows[i]!.seq, [rows]);
  const firstTs = trace.firstTs ?? 0;
  const offset = trace.clockOffset ?? 0;
  const renderRow = useCallback(
    (i: number) => {
      const row = rows[i]!;
      const time = timeMode === 'relative' ? formatRelative(row.ts - firstTs) : formatClock(row.ts + offset);
      return (
        <div className={styles.traceLine} data-testid="trace-line" title={`kernel time ${row.ts.toFixed(6)} s · cpu ${row.cpu} · pid ${row.pid} · ${row.comm}`}>
          <span className={styles.traceTime}>{time}</span>
          <span className={styles.traceCpu}>{row.cpu}</span>
          <span className={styles.tracePid}>{row.pid}</span>
          <span className={styles.traceComm} data-testid="trace-comm">
            {row.comm}
          </span>
          <span>{row.text}</span>
        </div>
      );
    },
    [rows, timeMode, firstTs, offset],
  );

  const togglePause = () => {
    setPaused(paused ? null : { rows: (frozen?.rows ?? trace.lines).slice(), total: frozen?.total ?? trace.total });
    setFrozen(null);
    if (paused) setFollow(true);
  };
  const clear = () => {
    trace.clear();
    setPaused(null);
    setFrozen(null);
    setFollow(true);
  };

  const changeFollow = useCallback(
    (next: boolean) => {
      setFollow(next);
      setFrozen(next ? null : { rows: trace.lines.slice(), total: trace.total });
    },
    [trace],
  );

  const newWhilePaused = paused ? trace.total - paused.total : 0;
  const dropped = trace.dropped;
  const empty = trace.total === 0;

  return (
    <section className={styles.outputPane} aria-label="Output">
      <div className={ui.paneToolbar}>
        <input
          type="search"
          className={ui.filterInput}
          placeholder="Filter"
          title="Show only lines whose text or comm contains this, or whose pid is this"
          aria-label="Filter output"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          spellCheck={false}
        />
        <button type="button" className={ui.toolButton} aria-pressed={!!paused} onClick={togglePause} title="Freeze the view; lines keep arriving">
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className={ui.toolButton} onClick={clear} disabled={empty}>
          Clear
        </button>
        <button
          type="button"
          className={ui.toolButton}
          aria-label={timeMode === 'relative' ? 'Show clock time' : 'Show relative time'}
          title={timeMode === 'relative' ? 'Times are relative to the first line; click for clock time' : 'Times are clock times; click for relative'}
          onClick={() => setTimeMode(timeMode === 'relative' ? 'absolute' : 'relative')}
        >
          {timeMode === 'relative' ? 'Relative time' : 'Clock time'}
        </button>
        <span className={ui.spacer} />
        <span className={ui.outputCounts} data-testid="output-counts">
          {paused && newWhilePaused > 0 && <span className={ui.pausedNote}>{plural(newWhilePaused, 'new line')} while paused · </span>}
          {deferredFilter.trim() ? `${formatNumber(rows.length)} of ${plural(source.length, 'line')}` : plural(source.length, 'line')}
          {dropped > 0 && (
            <span
              className={ui.dropped}
              data-testid="dropped-count"
              title={`${formatNumber(trace.serverDropped)} not delivered (the page or network fell behind), ${formatNumber(trace.evicted)} pushed out of the last ${formatNumber(trace.capacity)} lines kept here`}
            >
              {' · '}
              {formatNumber(dropped)} dropped
            </span>
          )}
          {trace.kernelLost > 0 && (
            <span
              className={ui.dropped}
              data-testid="kernel-lost-count"
              title="Lines the kernel's trace buffer overwrote before the server could read them, since this run started. The buffer is shared by every program on this machine, so some may be other people's."
            >
              {' · '}
              {formatNumber(trace.kernelLost)} lost in the kernel
            </span>
          )}
        </span>
      </div>
      {empty ? (
        <OutputEmpty phase={phase} expect={expect} onShowEvents={onShowEvents} where={where} />
      ) : (
        <div className={ui.paneBody}>
          <div className={styles.traceHeader} aria-hidden="true">
            <span className={styles.traceTime}>{timeMode === 'relative' ? 'time' : 'clock'}</span>
            <span className={styles.traceCpu}>cpu</span>
            <span className={styles.tracePid}>pid</span>
            <span className={styles.traceComm}>comm</span>
            <span>message</span>
          </div>
          <VirtualList
            count={rows.length}
            rowHeight={ROW_HEIGHT}
            keyAt={keyAt}
            renderRow={renderRow}
            follow={follow && !paused}
            onFollowChange={changeFollow}
            label="Trace output"
            version={version}
          />
          {!follow && !paused && (
            <button type="button" className={ui.jumpBottom} onClick={() => changeFollow(true)}>
              ↓ {frozen && trace.total > frozen.total ? `${plural(trace.total - frozen.total, 'new line')}` : 'Follow new lines'}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function OutputEmpty({ phase, expect, onShowEvents, where }: { phase: RunPhase; expect: string | null; onShowEvents?: () => void; where: string }) {
  const running = phase === 'running';
  const busy = phase === 'queued' || phase === 'compiling' || phase === 'booting' || phase === 'loading' || phase === 'attaching';
  return (
    <div className={ui.emptyState} data-testid="output-empty">
      <p className={ui.emptyTitle}>
        {running ? 'Running: waiting for bpf_printk output…' : busy ? 'Starting…' : 'bpf_printk output appears here when the program runs.'}
      </p>
      {expect && <p>{withCode(expect)}</p>}
      {onShowEvents && (
        <p>
          This program sends records through a ring buffer or perf buffer:{' '}
          <button type="button" className={`${ui.linkButton} ${ui.inline}`} onClick={onShowEvents}>
            show the Events tab
          </button>
          .
        </p>
      )}
      {!running && !busy && (
        <p className={ui.hint}>
          Press <kbd>Run</kbd> ({shortcut('Enter')}) to compile, load and attach it in {where}.
        </p>
      )}
    </div>
  );
}

/** Renders `code` spans of an example's text as code; each span is keyed by where it starts in the text. */
export function withCode(text: string): ReactNode[] {
  let at = 0;
  return text.split(/(`[^`]+`)/).map((part) => {
    const start = at;
    at += part.length;
    return part.startsWith('`') && part.endsWith('`') ? <code key={start}>{part.slice(1, -1)}</code> : part;
  });
}
