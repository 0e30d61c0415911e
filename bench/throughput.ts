import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PlaygroundConnection } from '../server/cli/connection.ts';
import { type Cleanup, TRACEFS, bufferStats, exited, killChild, onLines, removeInstance, sleep, statsDelta, type BufferStats } from './util.ts';

export const MARKER = 'bench_flood';

/** A raw_tp/sys_enter program that prints one line per getppid() of one process. */
export function floodSource(pid: number, nrGetppid: number): string {
  return `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("raw_tp/sys_enter")
int bench_flood(struct bpf_raw_tracepoint_args *ctx)
{
	/* args[1] is the syscall number; only the flood process's getppid() prints. */
	if ((bpf_get_current_pid_tgid() >> 32) != ${pid} || ctx->args[1] != ${nrGetppid})
		return 0;
	bpf_printk("${MARKER}");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

/** The flood generator (bench/flood.c, built with the host's cc), waiting for orders on stdin. */
export class Flood {
  private results: string[] = [];
  private waiting: ((line: string) => void) | null = null;

  private constructor(
    readonly child: ChildProcess,
    readonly nrGetppid: number,
  ) {
    onLines(child.stdout!, (line) => {
      if (this.waiting) {
        const wake = this.waiting;
        this.waiting = null;
        wake(line);
      } else this.results.push(line);
    });
  }

  static async start(cleanup: Cleanup, workdir: string, sourceFile: string): Promise<Flood> {
    const binary = path.join(workdir, 'flood');
    const cc = spawn('cc', ['-O2', '-o', binary, sourceFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let ccErr = '';
    cc.stderr!.setEncoding('utf8').on('data', (c: string) => (ccErr += c));
    await exited(cc, 30_000);
    if (cc.exitCode !== 0) throw new Error(`cc could not build bench/flood.c: ${ccErr.trim() || `exit ${cc.exitCode}`}`);
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    cleanup.add('flood generator', async () => {
      child.stdin!.end();
      if (!(await exited(child, 2000))) await killChild(child);
    });
    const flood = new Flood(child, 0);
    const ready = await flood.nextLine(5000);
    const nr = /^ready (\d+)$/.exec(ready)?.[1];
    if (!nr) throw new Error(`the flood generator said "${ready}" instead of ready.`);
    return Object.assign(flood, { nrGetppid: Number(nr) });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Floods for `ms`; resolves with the number of getppid() calls made and how long that took. */
  async run(ms: number): Promise<{ calls: number; elapsedMs: number }> {
    this.child.stdin!.write(`${ms}\n`);
    const line = await this.nextLine(ms + 15_000);
    const [calls, elapsed] = line.split(' ').map(Number);
    if (!Number.isFinite(calls) || !Number.isFinite(elapsed)) throw new Error(`the flood generator said "${line}".`);
    return { calls: calls!, elapsedMs: elapsed! };
  }

  private nextLine(ms: number): Promise<string> {
    const queued = this.results.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the flood generator did not answer.')), ms);
      this.waiting = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }
}

/**
 * A separate tracefs instance read by a bare `cat`, its output counted by
 * `grep -c` in another process (so counting costs the reader nothing and the
 * benchmark's own event loop cannot slow the cat down).
 */
class CatReader {
  private constructor(
    readonly dir: string,
    private readonly cat: ChildProcess,
    private readonly count: Promise<number>,
    private readonly remove: () => Promise<void>,
  ) {}

  static async open(cleanup: Cleanup, name: string): Promise<CatReader> {
    const dir = path.join(TRACEFS, 'instances', name);
    const remove = cleanup.add(`tracefs instance ${name}`, () => removeInstance(dir));
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'events/bpf_trace/bpf_trace_printk/enable'), '1');
    const grep = spawn('grep', ['-c', '-F', MARKER], { stdio: ['pipe', 'pipe', 'ignore'] });
    const cat = spawn('cat', [path.join(dir, 'trace_pipe')], { stdio: ['ignore', grep.stdin!, 'ignore'] });
    grep.stdin!.destroy();
    const killBoth = cleanup.add(`cat and grep of ${name}`, async () => {
      await killChild(cat);
      await killChild(grep, 'SIGTERM');
    });
    let out = '';
    grep.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    const count = new Promise<number>((resolve) => {
      grep.once('exit', () => resolve(Number(out.trim() || 0)));
    });
    // The instance must be removed after its reader has gone.
    const close = async () => {
      await killBoth();
      await remove();
    };
    await sleep(50);
    if (cat.exitCode !== null) throw new Error(`cat of ${dir}/trace_pipe exited at once (code ${cat.exitCode}).`);
    return new CatReader(dir, cat, count, close);
  }

  stats(): BufferStats {
    return bufferStats(this.dir);
  }

  /** Stops the cat, removes the instance and returns the marker lines cat read. */
  async finish(): Promise<number> {
    await killChild(this.cat);
    const count = await Promise.race([this.count, sleep(5000).then(() => NaN)]);
    await this.remove();
    return count;
  }
}

/** Counts marker lines the WebSocket client receives for one run, and the server's drop count. */
class WsCounter {
  lines = 0;
  dropped = 0;
  lastLineAt = 0;
  frames = 0;
  maxFrameLines = 0;
  /** Frames holding exactly limits.traceBatchLines lines: the server cut those batches. */
  framesAtCap = 0;
  /** Other messages seen during the window (a run_state, a session_end…), abridged. */
  events: string[] = [];
  /** Set when the flood's run left the running state (a policy detached it, its runner died…). */
  runEnded: string | null = null;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly connection: PlaygroundConnection,
    private readonly runId: number,
    private readonly batchCap: number,
  ) {
    this.timer = setInterval(() => this.scan(), 5);
  }

  scan(): void {
    const inbox = this.connection.inbox;
    for (const m of inbox) {
      // Anything that ends or changes the run is worth knowing about.
      if (m.type !== 'trace' && m.type !== 'maps' && m.type !== 'stats') this.events.push(JSON.stringify(m).slice(0, 300));
      if (m.type === 'run_state' && m.runId === this.runId && m.state !== 'running') {
        this.runEnded = `${m.state}${m.error ? `: ${m.error.message}` : ''}`;
      }
      if (m.type !== 'trace' || m.runId !== this.runId) continue;
      this.frames++;
      this.maxFrameLines = Math.max(this.maxFrameLines, m.lines.length);
      if (m.lines.length >= this.batchCap) this.framesAtCap++;
      let here = 0;
      for (const line of m.lines) if (line.text.startsWith(MARKER)) here++;
      if (here) {
        this.lines += here;
        this.lastLineAt = performance.now();
      }
      this.dropped = m.dropped;
    }
    // Nothing waits on the inbox during a flood: forget what was counted so memory stays flat.
    inbox.splice(0);
  }

  stop(): void {
    clearInterval(this.timer);
    this.scan();
  }
}

export interface FloodWindow {
  /** getppid() calls, each of which printed one line in the kernel. */
  generated: number;
  floodMs: number;
  /** Marker lines a bare cat of its own instance read. */
  catLines: number;
  /** Marker lines that reached the WebSocket client. */
  wsLines: number;
  generatedPerS: number;
  catPerS: number;
  wsPerS: number;
  /** Lines the server counted as dropped for this session during the window. */
  serverDropped: number;
  /** Kernel ring-buffer overruns during the window: lines overwritten before anyone read them. */
  backendOverrun: number;
  catOverrun: number;
  /** How long after the flood ended the last line reached the WebSocket client. */
  wsTailMs: number;
  /** Trace frames received, and the most lines one frame carried (the server caps a batch at limits.traceBatchLines). */
  wsFrames: number;
  maxFrameLines: number;
  framesAtCap: number;
  /** Messages other than trace and maps frames during the window: normally none. */
  events: string[];
  /** The client's own event-loop delay during the window (p99, ms): high means the client, not the server, was the bottleneck. */
  clientLoopDelayP99Ms: number;
  /** Where every generated line went: read + overrun (cat), delivered + dropped + overrun (backend). Both should equal `generated`. */
  catAccounted: number;
  wsAccounted: number;
}

export interface ThroughputSetup {
  connection: PlaygroundConnection;
  /** The backend's tracefs instances: their overruns are lines the backend never saw. */
  backendInstanceDirs: string[];
  flood: Flood;
  floodMs: number;
  /** The backend's limits.traceBatchLines: the most lines one trace frame may carry. */
  traceBatchLines: number;
}

/** Loads the flood program through the API; resolves with its run id once it is running. */
export async function startFloodRun(connection: PlaygroundConnection, flood: Flood): Promise<number> {
  connection.inbox.splice(0);
  const { runId, outcome: end } = await connection.startRun([{ name: 'bench_flood.bpf.c', content: floodSource(flood.pid, flood.nrGetppid) }], [], 30_000);
  if (!end) throw new Error('the flood program did not reach "running" within 30 s.');
  if (end.type === 'reply') throw new Error(`the flood run was refused: ${end.error?.message}`);
  if (end.type === 'run_state' && end.state === 'error') throw new Error(`the flood program failed at ${end.stage}: ${end.error?.message}`);
  return runId;
}

/** One flood, read at once by the backend (to one WebSocket client) and by a bare cat of another instance. */
export async function floodWindow(cleanup: Cleanup, setup: ThroughputSetup, runId: number, index: number): Promise<FloodWindow> {
  const { connection, backendInstanceDirs, flood, floodMs } = setup;
  const backendStats = () => sumStats(backendInstanceDirs.map(bufferStats));
  const cat = await CatReader.open(cleanup, `bench_cat_${process.pid}_${index}`);
  try {
    connection.inbox.splice(0);
    const ws = new WsCounter(connection, runId, setup.traceBatchLines);
    // The session's drop count is cumulative over the run: take it from the last frame before the window.
    const droppedSoFar = lastDropped.get(connection) ?? new Map<number, number>();
    lastDropped.set(connection, droppedSoFar);
    const baseDropped = droppedSoFar.get(runId) ?? 0;
    const backendBefore = backendStats();
    const catBefore = cat.stats();

    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const { calls, elapsedMs } = await flood.run(floodMs);
    const floodEnd = performance.now();

    // Drain: until the WebSocket count has been still for 300 ms and cat's buffer is empty (at most 5 s).
    let seen = -1;
    let stillSince = performance.now();
    const deadline = floodEnd + 5000;
    while (performance.now() < deadline) {
      await sleep(25);
      ws.scan();
      if (ws.lines !== seen) {
        seen = ws.lines;
        stillSince = performance.now();
      }
      if (performance.now() - stillSince >= 300 && cat.stats().entries === 0) break;
    }
    ws.stop();
    loopDelay.disable();
    if (ws.runEnded) throw new Error(`the flood program stopped during window ${index + 1}: ${ws.runEnded}`);
    const backendDelta = statsDelta(backendStats(), backendBefore);
    const catDelta = statsDelta(cat.stats(), catBefore);
    const catLines = await cat.finish();
    droppedSoFar.set(runId, Math.max(ws.dropped, baseDropped));

    const seconds = elapsedMs / 1000;
    return {
      generated: calls,
      floodMs: elapsedMs,
      catLines,
      wsLines: ws.lines,
      generatedPerS: calls / seconds,
      catPerS: catLines / seconds,
      wsPerS: ws.lines / seconds,
      serverDropped: Math.max(0, ws.dropped - baseDropped),
      backendOverrun: backendDelta.overrun,
      catOverrun: catDelta.overrun,
      wsTailMs: ws.lastLineAt ? Math.max(0, ws.lastLineAt - floodEnd) : NaN,
      wsFrames: ws.frames,
      maxFrameLines: ws.maxFrameLines,
      framesAtCap: ws.framesAtCap,
      events: ws.events,
      clientLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      catAccounted: catLines + catDelta.overrun,
      wsAccounted: ws.lines + Math.max(0, ws.dropped - baseDropped) + backendDelta.overrun,
    };
  } catch (error) {
    await cat.finish().catch(() => {});
    throw error;
  }
}

/** The last cumulative `dropped` each run's trace frames carried, per connection (run ids restart with each connection). */
const lastDropped = new WeakMap<PlaygroundConnection, Map<number, number>>();

function sumStats(all: BufferStats[]): BufferStats {
  const total: BufferStats = { entries: 0, overrun: 0, readEvents: 0, droppedEvents: 0 };
  for (const s of all) {
    total.entries += s.entries;
    total.overrun += s.overrun;
    total.readEvents += s.readEvents;
    total.droppedEvents += s.droppedEvents;
  }
  return total;
}
