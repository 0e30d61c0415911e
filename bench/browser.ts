/**
 * Benchmark 6: frames in the browser while ~5,000 trace lines/s arrive.
 *
 * The full server (Next pages + backend, `server/main.ts`) runs as a child
 * with a temp config that lifts the per-session trace limits to 10,000/s
 * (burst 20,000) and the CPU budget to a whole CPU. Headless Chromium opens
 * the page at 1280×720, the bench puts a raw_tp/sys_enter program in the
 * editor through the page's test hook that prints only for the main thread of
 * a paced Node child (`fstat` at ~5,000/s), and clicks Run. In the page, a
 * requestAnimationFrame loop records frame intervals and a PerformanceObserver
 * counts long tasks: once idle with the Output pane following the bottom,
 * once while typing into Monaco at ~20 chars/s. The same two phases without
 * the flood (program not running) are the peer: ratio = flood fps / baseline fps.
 * Run alone: `node --import tsx bench/browser.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../server/config.ts';
import { Cleanup, TRACEFS, exited, killChild, onLines, removeInstance, round, sleep } from './util.ts';

export const BROWSER_LIMITS = { traceLinesPerSecond: 10_000, traceBurstLines: 20_000, cpuBudget: 1 };
const TARGET_RATE = 5000;
const PHASE_MS = 5000;
const TYPE_DELAY_MS = 50; // ~20 chars/s
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface FramePhase {
  name: string;
  durationMs: number;
  frames: number;
  /** Frames per second over the phase (frames / duration). */
  fps: number;
  /** 1000 / median frame interval. */
  medianFps: number;
  medianIntervalMs: number;
  p95IntervalMs: number;
  maxIntervalMs: number;
  /** Intervals longer than 1.5 frames at 60 Hz (a frame missed). */
  slowFrames: number;
  longTasks: number;
  longTaskMs: number;
  /** Trace lines in WebSocket frames the page received during the phase, per second. */
  linesReceivedPerS: number;
  /** Lines the Output pane actually showed: the bottom row's counter, last minus first, per second. */
  linesRenderedPerS: number | null;
  /** fstat calls the flood child made, per second (its main thread's other syscalls, epoll_pwait etc., also print, so lines/s run a little above this). */
  floodCallsPerS: number;
  /** Lines the server reported as dropped in trace frames during the phase. */
  droppedInPhase: number;
  charsTyped: number;
}

export interface BrowserResults {
  chromium: string;
  viewport: string;
  limits: Record<string, number>;
  targetLinesPerS: number;
  phases: FramePhase[];
  /** follow-phase fps under flood / follow-phase fps without flood, and the same for typing. */
  ratioFollow: number;
  ratioTyping: number;
  note: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function source(pid: number): string {
  return `// SPDX-License-Identifier: GPL-2.0
// Benchmark 6: one trace line per syscall of pid ${pid}.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static volatile __u64 seen;

SEC("raw_tp/sys_enter")
int bench_flood(struct bpf_raw_tracepoint_args *ctx)
{
	if ((__u32)bpf_get_current_pid_tgid() != ${pid})
		return 0;
	__u64 n = __sync_fetch_and_add(&seen, 1);
	bpf_printk("n %llu", n);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

/** A Node child that, on "<rate>\\n", makes ~rate fstat calls/s from its main thread ("0" stops); answers each command with its call count. */
const FLOOD_CHILD = `
const fs = require('node:fs');
let rate = 0, start = 0, done = 0, total = 0;
function tick() {
  if (rate > 0) {
    const due = Math.floor(rate * (performance.now() - start) / 1000) - done;
    for (let i = 0; i < due; i++) fs.fstatSync(0);
    done += due; total += due;
  }
  setTimeout(tick, 2);
}
tick();
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    rate = Number(line) || 0; start = performance.now(); done = 0;
    process.stdout.write(total + '\\n');
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdout.write('ready\\n');
`;

class FloodChild {
  private replies: ((n: number) => void)[] = [];
  constructor(readonly child: ChildProcess) {
    onLines(child.stdout!, (line) => {
      if (line === 'ready') return;
      this.replies.shift()?.(Number(line));
    });
  }
  /** Sets the rate; resolves with the calls made so far. */
  set(rate: number): Promise<number> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.child.stdin!.write(`${rate}\n`);
    });
  }
}

/** Installed in the page: records rAF intervals and long tasks until collected. */
function startRecorder(): void {
  const w = window as unknown as { __bench: { t: number[]; long: number[]; stop: boolean; firstN: number | null } };
  const lastN = () => {
    const rows = document.querySelectorAll('[data-testid="trace-line"] .trace-text');
    const m = /^n (\d+)$/.exec(rows[rows.length - 1]?.textContent ?? '');
    return m ? Number(m[1]) : null;
  };
  const state = { t: [] as number[], long: [] as number[], stop: false, firstN: lastN() };
  w.__bench = state;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) state.long.push(e.duration);
  });
  observer.observe({ type: 'longtask' });
  const frame = (t: number) => {
    if (state.stop) return observer.disconnect();
    state.t.push(t);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

function stopRecorder(): { t: number[]; long: number[]; firstN: number | null; lastN: number | null } {
  const w = window as unknown as { __bench: { t: number[]; long: number[]; stop: boolean; firstN: number | null } };
  w.__bench.stop = true;
  const rows = document.querySelectorAll('[data-testid="trace-line"] .trace-text');
  const m = /^n (\d+)$/.exec(rows[rows.length - 1]?.textContent ?? '');
  return { t: w.__bench.t, long: w.__bench.long, firstN: w.__bench.firstN, lastN: m ? Number(m[1]) : null };
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Removes this server's tracefs instances if it left any (it removes them itself on SIGTERM). */
async function removeServerInstances(pid: number): Promise<string[]> {
  let names: string[] = [];
  try {
    names = readdirSync(path.join(TRACEFS, 'instances')).filter((n) => n === `ebpf_playground_${pid}` || n.startsWith(`ebpf_playground_${pid}_`));
  } catch {
    return [];
  }
  for (const name of names) await removeInstance(path.join(TRACEFS, 'instances', name));
  return names;
}

export async function browserBenchmark(cleanup: Cleanup, log: (text: string) => void): Promise<BrowserResults> {
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID')))
    throw new Error('.next/BUILD_ID is missing: build the page first (`npx next build`, or `npm run bench`, which runs setup).');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium).`);
  const { chromium } = await import('@playwright/test');

  const dir = mkdtempSync(path.join(os.tmpdir(), 'ebpf-bench-browser-'));
  cleanup.add('browser bench dir', () => rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ limits: BROWSER_LIMITS }));
  const port = await freePort();

  // ---- the full server ----
  const server = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PLAYGROUND_CONFIG: configFile, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const serverOutput: string[] = [];
  onLines(server.stdout!, (l) => serverOutput.push(l));
  onLines(server.stderr!, (l) => serverOutput.push(l));
  cleanup.add('full server', async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      if (!(await exited(server, 5000))) await killChild(server, 'SIGKILL');
    }
    const left = await removeServerInstances(server.pid!);
    if (left.length) log(`  removed tracefs instances the server left: ${left.join(', ')}`);
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited (code ${server.exitCode}): ${serverOutput.slice(-5).join(' | ')}`);
    try {
      const res = await fetch(url);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('the server did not answer HTTP within 60 s.');
    await sleep(200);
  }

  // ---- the flood child ----
  const child = spawn(process.execPath, ['-e', FLOOD_CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanup.add('flood child', async () => {
    child.stdin!.end();
    await killChild(child, 'SIGKILL');
  });
  const flood = new FloodChild(child);
  await flood.set(0);

  // ---- the browser ----
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  cleanup.add('browser', () => browser.close());
  const version = browser.version();
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  let wsLines = 0;
  let wsDropped = 0;
  page.on('websocket', (ws) => {
    ws.on('framereceived', (frame) => {
      if (typeof frame.payload !== 'string' || !frame.payload.startsWith('{"type":"trace"')) return;
      try {
        const m = JSON.parse(frame.payload) as { lines: unknown[]; dropped: number };
        wsLines += m.lines.length;
        wsDropped += m.dropped;
      } catch {
        // Not JSON.
      }
    });
  });
  // tsx (esbuild keepNames) wraps functions handed to page.evaluate in __name(); give the page one.
  await page.addInitScript('globalThis.__name = (f) => f;');
  await page.goto(url);
  await page.waitForFunction(() => !!window.__playground?.activeFile(), null, { timeout: 30_000 });
  const file = (await page.evaluate(() => window.__playground!.activeFile()))!;
  const ok = await page.evaluate(([f, t]) => window.__playground!.setSource(f, t), [file, source(child.pid!)] as const);
  if (!ok) throw new Error(`the editor has no file ${file}`);
  const editor = page.getByTestId('code-editor').locator('.monaco-editor');
  let typed = 0;

  const phase = async (name: string, typing: boolean, rate: number): Promise<FramePhase> => {
    await sleep(500);
    const calls0 = await flood.set(rate);
    const floodFrom = performance.now();
    const dropped0 = wsDropped;
    if (typing) {
      await editor.click({ position: { x: 300, y: 40 } });
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('// ');
    }
    await sleep(300);
    const started = performance.now();
    const linesAt = wsLines;
    await page.evaluate(startRecorder);
    let chars = 0;
    if (typing) {
      const text = 'the quick brown fox jumps over the lazy dog while lines arrive ';
      while (performance.now() - started < PHASE_MS) {
        await page.keyboard.type(text[chars % text.length]!, { delay: 0 });
        chars++;
        await sleep(TYPE_DELAY_MS);
      }
    } else await sleep(PHASE_MS);
    const r = await page.evaluate(stopRecorder);
    const elapsed = performance.now() - started;
    const linesEnd = wsLines;
    const calls1 = await flood.set(0);
    const floodMs = performance.now() - floodFrom;
    typed += chars;
    const intervals = r.t
      .slice(1)
      .map((t, i) => t - r.t[i]!)
      .sort((a, b) => a - b);
    const span = r.t.length > 1 ? r.t.at(-1)! - r.t[0]! : NaN;
    const medianInterval = quantile(intervals, 0.5);
    const p: FramePhase = {
      name,
      durationMs: round(span),
      frames: intervals.length,
      fps: round((intervals.length / span) * 1000, 1),
      medianFps: round(1000 / medianInterval, 1),
      medianIntervalMs: round(medianInterval),
      p95IntervalMs: round(quantile(intervals, 0.95)),
      maxIntervalMs: round(intervals.at(-1) ?? NaN),
      slowFrames: intervals.filter((v) => v > 25).length,
      longTasks: r.long.length,
      longTaskMs: round(r.long.reduce((a, b) => a + b, 0)),
      linesReceivedPerS: round(((linesEnd - linesAt) / elapsed) * 1000, 0),
      linesRenderedPerS: r.firstN !== null && r.lastN !== null ? round(((r.lastN - r.firstN) / span) * 1000, 0) : null,
      floodCallsPerS: round(((calls1 - calls0) / floodMs) * 1000, 0),
      droppedInPhase: wsDropped - dropped0,
      charsTyped: chars,
    };
    log(
      `  ${name}: ${p.fps} fps (median ${p.medianFps}), p95 frame ${p.p95IntervalMs} ms, max ${p.maxIntervalMs} ms, ${p.slowFrames} slow frames, long tasks ${p.longTasks} / ${p.longTaskMs} ms, lines received ${p.linesReceivedPerS}/s rendered ${p.linesRenderedPerS ?? '—'}/s, flood ${p.floodCallsPerS} calls/s`,
    );
    return p;
  };

  const phases: FramePhase[] = [];
  // Baseline: the page idle and typed into, nothing running.
  phases.push(await phase('baseline, idle', false, 0));
  phases.push(await phase('baseline, typing', true, 0));

  // Put the program back (typing changed it) and run it.
  await page.evaluate(([f, t]) => window.__playground!.setSource(f, t), [file, source(child.pid!)] as const);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page
    .waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.getAttribute('data-phase') === 'running', null, { timeout: 30_000 })
    .catch(async () => {
      const status = await page
        .getByTestId('run-status')
        .textContent()
        .catch(() => '?');
      throw new Error(`the program did not reach "running": ${status}`);
    });
  // Warm up: let lines flow and the Output pane fill its 2,000-line buffer.
  await flood.set(TARGET_RATE);
  await sleep(1500);
  if (wsLines === 0) throw new Error('no trace line reached the page in 1.5 s of flood.');
  await flood.set(0);

  phases.push(await phase('5,000 lines/s, following', false, TARGET_RATE));
  phases.push(await phase('5,000 lines/s, typing', true, TARGET_RATE));

  await page
    .getByRole('button', { name: 'Stop', exact: true })
    .click()
    .catch(() => undefined);
  const [bIdle, bType, fIdle, fType] = phases;
  return {
    chromium: version,
    viewport: '1280x720',
    limits: BROWSER_LIMITS,
    targetLinesPerS: TARGET_RATE,
    phases,
    ratioFollow: round(fIdle!.fps / bIdle!.fps, 3),
    ratioTyping: round(fType!.fps / bType!.fps, 3),
    note: `headless Chromium (${CHROMIUM}, --disable-gpu), one page; phases of ${PHASE_MS / 1000} s; typing = one key every ~${TYPE_DELAY_MS} ms into a comment in Monaco (${typed} chars in all); fps = frames / time from rAF timestamps; slow frame = interval > 25 ms; lines rendered = the bottom Output row's counter (printed by the program), last minus first`,
  };
}

// Direct entry: `node --import tsx bench/browser.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const cleanup = new Cleanup();
  const log = (t: string) => process.stderr.write(`bench: ${t}\n`);
  try {
    const r = await browserBenchmark(cleanup, log);
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    for (const p of await cleanup.runAll()) log(`cleanup: ${p}`);
  }
}
