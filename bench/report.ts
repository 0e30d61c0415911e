import type { Summary } from './util.ts';
import type { WorkshopResults } from './workshop.ts';
import type { BrowserResults } from './browser.ts';
import type { ScalingResults } from './scaling.ts';

export interface Results {
  meta: {
    date: string;
    kernel: string;
    cpus: number;
    cpuModel: string;
    node: string;
    clang: string;
    bpftrace: string;
    runs: number;
    floodMs: number;
    sandbox: string;
    backend: string;
    /** 1, 5 and 15 minute load averages: this machine is shared, so say how busy it was. */
    loadAvgAtStart: number[];
    loadAvgAtEnd?: number[];
    /** The benchmark backend's effective config.limits. */
    limits?: Record<string, unknown>;
    durationS?: number;
  };
  scaling?: ScalingResults;
  latency?: {
    playground: {
      totalMs: Summary;
      compileMs: Summary;
      loadMs: Summary;
      attachMs: Summary;
      otherMs: Summary;
      skeletonMs: Summary | null;
      objectBytes: number | null;
      skeletonChars: number | null;
    };
    bpftrace: { readyMs: Summary; attachingMs: Summary; attachingToReadyMs: Summary; verified: string; attachingLine: string };
    /** playground median / bpftrace median: below 1 means the playground is faster. */
    ratio: number;
    target: number;
    /** The same kind of program, compiled ahead by `prepare` as the page does on a pause in typing. */
    typed?: { note: string; totalMs: Summary; compileMs: Summary; loadMs: Summary; attachMs: Summary; otherMs: Summary; prepareMs: Summary; ratio: number };
    compileDiagnostics: {
      note: string;
      bareClangMs: Summary | null;
      pchClangMs: Summary | null;
      pchBuildMs: number | null;
      helloClangMs: Summary | null;
      error: string | null;
    };
    warmup: unknown;
    samples: { playground: unknown[]; bpftrace: unknown[]; typed?: unknown[]; order: string[] };
  };
  repeat?: {
    playground: { totalMs: Summary; compileMs: Summary; loadMs: Summary; attachMs: Summary; otherMs: Summary };
    /** Same-source median / new-source median of this run: what repeating the source saves today. */
    ratioToNewSource: number;
    targetMs: number;
    samples: unknown[];
  };
  throughput?: {
    generatedPerS: Summary;
    catPerS: Summary;
    wsPerS: Summary;
    /** Median over windows of (WebSocket client lines/s / cat lines/s), each pair from the same flood. */
    ratio: number;
    ratioOfMedians: number;
    maxFrameLines: number;
    framesAtCap: string;
    clientLoopDelayP99Ms: Summary;
    serverDropped: Summary;
    backendOverrun: Summary;
    catOverrun: Summary;
    wsTailMs: Summary;
    windows: unknown[];
    limitsNote: string;
    defaultLimits: {
      traceLinesPerSecond: unknown;
      traceBurstLines: unknown;
      wsPerS: Summary;
      catPerS: Summary;
      ratio: number;
      windows: unknown[];
    };
  };
  firstOutput?: {
    runningToLineMs: Summary;
    execToLineMs: Summary;
    runningToExecMs: Summary;
    triggeredByBench: string;
    targetMs: number;
    note: string;
    warmup: unknown;
    samples: unknown[];
  };
  workshop?: WorkshopResults;
  browser?: BrowserResults;
  error?: string;
  cleanupProblems?: string[];
}

const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '—');
const rate = (v: number) => (Number.isFinite(v) ? (v >= 10_000 ? `${(v / 1000).toFixed(0)}k` : v.toFixed(0)) : '—');
const count = (v: number) => (Number.isFinite(v) ? (v >= 10_000 ? `${(v / 1000).toFixed(0)}k` : v.toFixed(0)) : '—');
const ratio = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');

/** The results as a Markdown table (also printed to the terminal). */
export function markdownTable(r: Results): string {
  const rows: string[][] = [['figure (median of runs)', 'playground', 'peer, same run', 'ratio', 'target (issue 6)']];
  const l = r.latency;
  if (l) {
    const p = l.playground;
    rows.push([
      '1. new CO-RE program: `run` sent → `running` (ms)',
      ms(p.totalMs.median),
      `bpftrace cold start: ${ms(l.bpftrace.readyMs.median)}`,
      ratio(l.ratio),
      `≤ ${l.target}`,
    ]);
    rows.push([
      '   playground: compile / load / attach / rest (ms)',
      `${ms(p.compileMs.median)} / ${ms(p.loadMs.median)} / ${ms(p.attachMs.median)} / ${ms(p.otherMs.median)}`,
      `bpftrace: spawn → "Attaching" ${ms(l.bpftrace.attachingMs.median)}, → ready +${ms(l.bpftrace.attachingToReadyMs.median)}`,
      '',
      '',
    ]);
    const t = l.typed;
    if (t) {
      rows.push([
        '1b. new CO-RE program compiled while typing (`prepare`, then `run` → `running`, ms)',
        ms(t.totalMs.median),
        `bpftrace cold start: ${ms(l.bpftrace.readyMs.median)}`,
        ratio(t.ratio),
        `≤ ${l.target}`,
      ]);
      rows.push([
        '    compile / load / attach / rest (ms); the prepare before it',
        `${ms(t.compileMs.median)} / ${ms(t.loadMs.median)} / ${ms(t.attachMs.median)} / ${ms(t.otherMs.median)}; ${ms(t.prepareMs.median)}`,
        '',
        '',
        '',
      ]);
    }
    const d = l.compileDiagnostics;
    if (d.bareClangMs && d.pchClangMs && d.helloClangMs) {
      rows.push([
        '   diagnostics: clang alone / with PCH / no vmlinux.h (ms)',
        `${ms(d.bareClangMs.median)} / ${ms(d.pchClangMs.median)} / ${ms(d.helloClangMs.median)}`,
        `(same flags, no jail; PCH built once in ${ms(d.pchBuildMs ?? NaN)})`,
        '',
        '',
      ]);
    }
  }
  const s = r.repeat;
  if (s) {
    rows.push([
      '2. same source again → `running` (ms), interleaved with 1',
      ms(s.playground.totalMs.median),
      '— (no peer)',
      `${ratio(s.ratioToNewSource)} of new-source time`,
      `${s.targetMs} ms`,
    ]);
    rows.push([
      '   compile / load / attach / rest (ms)',
      `${ms(s.playground.compileMs.median)} / ${ms(s.playground.loadMs.median)} / ${ms(s.playground.attachMs.median)} / ${ms(s.playground.otherMs.median)}`,
      '',
      '',
      '',
    ]);
  }
  const t = r.throughput;
  if (t) {
    rows.push([
      '3. trace lines/s reaching one WebSocket client (limits lifted)',
      rate(t.wsPerS.median),
      `bare cat of its own instance: ${rate(t.catPerS.median)}`,
      ratio(t.ratio),
      '—',
    ]);
    rows.push(['   lines/s printed in the kernel (getppid flood)', rate(t.generatedPerS.median), '', '', '']);
    rows.push([
      '   lost per window: server `dropped` / kernel overrun',
      `${count(t.serverDropped.median)} / ${count(t.backendOverrun.median)}`,
      `cat instance overrun: ${count(t.catOverrun.median)}`,
      '',
      '',
    ]);
    const d = t.defaultLimits;
    rows.push([
      `   same, default trace limits (${d.traceLinesPerSecond}/s, burst ${d.traceBurstLines})`,
      rate(d.wsPerS.median),
      `bare cat: ${rate(d.catPerS.median)}`,
      d.ratio.toFixed(4),
      '',
    ]);
  }
  const f = r.firstOutput;
  if (f) {
    rows.push([
      '4. first output: `running` → first trace line (ms)',
      ms(f.runningToLineMs.median),
      `exec → first line: ${ms(f.execToLineMs.median)} (exec ${f.runningToExecMs.median.toFixed(2)} ms after running)`,
      '',
      `≤ ${f.targetMs} ms`,
    ]);
  }
  const w = r.workshop;
  if (w) {
    const lat = w.runToRunningMs;
    rows.push([
      `5. ${w.sessions} sessions, new programs sent within 1 s: run → running p50 / p95 / max (ms)`,
      `${ms(lat.p50)} / ${ms(lat.p95)} / ${ms(lat.max)}`,
      `one session alone, same backend: ${ms(w.soloRunToRunningMs.median)}; largest queuePosition ${w.maxQueuePosition}`,
      `p95 ${ratio(w.ratioP95ToSolo)}× alone`,
      'p95 ≤ 5 s',
    ]);
    const m = w.memory;
    rows.push([
      `   ${w.sessions} idle sessions: RSS backend + runners / backend alone (MB)`,
      `${m.idleSessions.totalMb.toFixed(0)} / ${m.idleSessions.backendMb.toFixed(0)}`,
      `empty backend: ${m.emptyBackend.totalMb.toFixed(0)} / ${m.emptyBackend.backendMb.toFixed(0)}`,
      `+${m.idleTotalPerSessionMb} MB per session`,
      '≤ 250 MB',
    ]);
    const c = w.mapsRunning;
    rows.push([
      `   ${w.sessions} running, 1,000-entry maps at ${c.mapIntervalMs} ms: CPU % of one core (backend + runners / backend), steady`,
      c.steadyCpu ? `${c.steadyCpu.totalPct} / ${c.steadyCpu.backendPct}` : '—',
      `same sessions idle: ${w.idleCpu.totalPct} / ${w.idleCpu.backendPct}`,
      '',
      '≤ 15 %',
    ]);
    rows.push(['   the same, in the first 10 s after the maps filled (runners warming up)', `${c.cpu.totalPct} / ${c.cpu.backendPct}`, '', '', '']);
  }
  const sc = r.scaling;
  if (sc) {
    rows.push([
      '7. scaling: sessions → run → running p95 (ms) / idle RSS (MB)',
      sc.sessions.map((x) => `${x.sessions}: ${ms(x.p95Ms)} / ${x.idleMb.toFixed(0)}`).join('; '),
      '',
      '',
      '',
    ]);
    rows.push([
      '   map read, whole map: entries → batch / one key at a time (ms)',
      sc.maps.map((x) => `${x.entries}: ${x.batchMs} / ${x.perKeyMs}`).join('; '),
      '',
      sc.maps.map((x) => `${x.ratio}×`).join(', '),
      '',
    ]);
  }
  const b = r.browser;
  if (b) {
    const find = (name: string) => b.phases.find((p) => p.name === name);
    const pairs: [string, string, string, number][] = [
      ['following the bottom', 'baseline, idle', '5,000 lines/s, following', b.ratioFollow],
      ['typing in Monaco (~20 chars/s)', 'baseline, typing', '5,000 lines/s, typing', b.ratioTyping],
    ];
    for (const [label, base, flood, rt] of pairs) {
      const p0 = find(base);
      const p1 = find(flood);
      if (!p0 || !p1) continue;
      rows.push([
        `6. browser fps, ~5,000 lines/s, ${label}: fps / p95 frame (ms) / long tasks (n, ms)`,
        `${p1.fps.toFixed(1)} / ${ms(p1.p95IntervalMs)} / ${p1.longTasks}, ${ms(p1.longTaskMs)}`,
        `no flood: ${p0.fps.toFixed(1)} / ${ms(p0.p95IntervalMs)} / ${p0.longTasks}, ${ms(p0.longTaskMs)}`,
        ratio(rt),
        '60 fps',
      ]);
      rows.push([
        '   lines/s received by the page / rendered in Output; slow frames (> 25 ms)',
        `${rate(p1.linesReceivedPerS)} / ${p1.linesRenderedPerS === null ? '—' : rate(p1.linesRenderedPerS)}; ${p1.slowFrames} of ${p1.frames}`,
        `no flood: ${p0.slowFrames} of ${p0.frames}`,
        '',
        '',
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
