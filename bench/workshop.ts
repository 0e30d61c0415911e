import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { ServerMessage } from '../protocol/messages.ts';
import { PlaygroundConnection, isRunning, settlesRun } from '../server/cli/connection.ts';
import type { BackendProcess } from './backend.ts';
import { type Cleanup, exited, round, sleep, summarize, type Summary } from './util.ts';

type RunState = Extract<ServerMessage, { type: 'run_state' }>;

// ---------------------------------------------------------------- first output

/** A hello world on sys_enter_execve (no vmlinux.h) whose printk text is `text`. */
export function helloWorldSource(name: string, text: string): string {
  return `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int ${name}(void *ctx)
{
	bpf_printk("${text}");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

export interface FirstOutputSample {
  /** Client received `running` → client received the first `trace` frame holding the program's line. */
  runningToLineMs: number;
  /** Just before spawn('/bin/true') → that same frame. */
  execToLineMs: number;
  /** `running` → the spawn call (the trigger's own delay, inside runningToLineMs). */
  runningToExecMs: number;
  /** The first line's pid is the benchmark's /bin/true (its comm is still `node` at sys_enter_execve); false when another exec on the host beat it. */
  fromTrigger: boolean;
  comm: string;
}

/**
 * One Run of a hello world; as soon as `running` arrives, the benchmark
 * starts /bin/true, and times the first `trace` frame of this run that holds
 * the program's text. Stops the run before returning.
 */
export async function timeFirstOutput(connection: PlaygroundConnection, name: string, text: string): Promise<FirstOutputSample> {
  connection.inbox.splice(0);
  const { runId, outcome: end } = await connection.startRun([{ name: 'hello.bpf.c', content: helloWorldSource(name, text) }], [], 30_000);
  const runningAt = performance.now();
  if (!end) throw new Error('the hello world did not reach "running" within 30 s.');
  if (end.type === 'reply') throw new Error(`the run was refused: ${end.error?.message}`);
  if ((end as RunState).state === 'error') throw new Error(`the hello world failed: ${(end as RunState).error?.message}`);
  const since = connection.inbox.length;
  const execAt = performance.now();
  const child = spawn('/bin/true', [], { stdio: 'ignore' });
  let sample: FirstOutputSample;
  try {
    const frame = await connection.waitFor((m) => m.type === 'trace' && m.runId === runId && m.lines.some((l) => l.text === text), 5000, since);
    const lineAt = performance.now();
    if (frame?.type !== 'trace') throw new Error('no trace line from the hello world within 5 s of an execve.');
    sample = {
      runningToLineMs: lineAt - runningAt,
      execToLineMs: lineAt - execAt,
      runningToExecMs: execAt - runningAt,
      fromTrigger: frame.lines.find((l) => l.text === text)!.pid === child.pid,
      comm: frame.lines.find((l) => l.text === text)!.comm,
    };
  } finally {
    await exited(child, 2000);
  }
  // After a failed sample the caller closes the connection, which stops the run with the session.
  const stopped = await connection.request({ type: 'stop' });
  if (!stopped.ok) throw new Error(`stop failed: ${stopped.error.message}`);
  return sample;
}

// ---------------------------------------------------------------- process accounting

/** The pid and every descendant of it, from /proc/<pid>/stat. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // Exited meanwhile.
    }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** VmRSS in kB (0 when the process is gone). */
export function rssKb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** utime + stime in clock ticks, or null when the process is gone. */
function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat; here 0-based after the comm, state is index 0.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

export interface MemorySnapshot {
  backendMb: number;
  /** Backend + every descendant (runners, the spare runner, the trace reader `cat`). */
  totalMb: number;
  /** Descendants by comm: count and MB. */
  byComm: Record<string, { count: number; mb: number }>;
}

export function memorySnapshot(backendPid: number): MemorySnapshot {
  const tree = processTree(backendPid);
  const byComm: Record<string, { count: number; mb: number }> = {};
  let total = 0;
  for (const pid of tree) {
    const kb = rssKb(pid);
    total += kb;
    if (pid === backendPid) continue;
    const c = comm(pid);
    byComm[c] ??= { count: 0, mb: 0 };
    const slot = byComm[c];
    slot.count++;
    slot.mb = round(slot.mb + kb / 1024, 1);
  }
  return { backendMb: round(rssKb(backendPid) / 1024, 1), totalMb: round(total / 1024, 1), byComm };
}

const CLK_TCK = 100;

/** CPU used by the backend and its descendants over `ms`, in % of one core; processes present at both ends are counted. */
export async function cpuPercent(backendPid: number, ms: number): Promise<{ totalPct: number; backendPct: number; processes: number }> {
  const before = new Map(processTree(backendPid).map((pid) => [pid, cpuTicks(pid)]));
  const started = performance.now();
  await sleep(ms);
  const elapsedS = (performance.now() - started) / 1000;
  let total = 0;
  let backend = 0;
  let processes = 0;
  for (const pid of processTree(backendPid)) {
    const a = before.get(pid);
    const b = cpuTicks(pid);
    if (a == null || b == null) continue;
    processes++;
    total += b - a;
    if (pid === backendPid) backend += b - a;
  }
  return { totalPct: round((total / CLK_TCK / elapsedS) * 100, 1), backendPct: round((backend / CLK_TCK / elapsedS) * 100, 1), processes };
}

// ---------------------------------------------------------------- the workshop

/** The per-session map program: on its first execve it fills `kv` with 1,000 entries (bounded loop), then only counts. */
/** How long after the first CPU window the steady-state one starts. */
const STEADY_AFTER_MS = 10_000;

export function mapSource(name: string, tag: number): string {
  return `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} kv SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int ${name}(void *ctx)
{
	__u32 last = 999;
	__u64 *hits = bpf_map_lookup_elem(&kv, &last);

	if (hits) {
		__sync_fetch_and_add(hits, 1);
		return 0;
	}
	for (__u32 i = 0; i < 1000; i++) {
		__u64 value = ${tag}ULL * 1000 + i;
		bpf_map_update_elem(&kv, &i, &value, BPF_ANY);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

export interface WorkshopResults {
  sessions: number;
  limitsChanged: Record<string, number>;
  limits: Record<string, unknown>;
  /** Over how long the `run` requests went out (the plan: within one second). */
  sendSpreadMs: number;
  runToRunningMs: { p50: number; p95: number; max: number; min: number; n: number };
  /** Peer: a new hello world, one session alone on the same backend, before the burst. */
  soloRunToRunningMs: Summary;
  /** p95 of the burst / median alone. */
  ratioP95ToSolo: number;
  maxQueuePosition: number;
  failedRuns: string[];
  memory: {
    /** A fresh backend with no session, before the workshop. */
    emptyBackend: MemorySnapshot;
    /** The 50 sessions connected, their runs stopped; each keeps its runner process until the idle timeout. */
    idleSessions: MemorySnapshot;
    idleTotalPerSessionMb: number;
    target: string;
  };
  idleCpu: { totalPct: number; backendPct: number; processes: number; windowMs: number };
  mapsRunning: {
    entriesPerMap: Summary;
    sessionsWithFullMap: number;
    mapIntervalMs: unknown;
    /** `maps` frames received across all sessions during the window. */
    mapsFramesPerS: number;
    /** The first window, right after the maps filled: the runners are still warming up (JIT, heap). */
    cpu: { totalPct: number; backendPct: number; processes: number; windowMs: number };
    /** The same sessions after SETTLE_MS more: the steady state the target is about. */
    steadyCpu: { totalPct: number; backendPct: number; processes: number; windowMs: number; afterMs: number };
    target: string;
  };
  durationS: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * 50 sessions on one backend: run → running under a burst of new programs,
 * the memory of 50 idle sessions, and the CPU of 50 sessions each running a
 * 1,000-entry hash map polled at the default interval.
 */
export async function workshop(
  cleanup: Cleanup,
  backend: BackendProcess,
  limitsChanged: Record<string, number>,
  log: (text: string) => void,
  opts: { sessions: number; cpuWindowMs: number; tagBase: number },
): Promise<WorkshopResults> {
  const started = performance.now();
  const N = opts.sessions;
  await sleep(500);
  const emptyBackend = memorySnapshot(backend.pid);

  const connections: PlaygroundConnection[] = [];
  const closeAll = cleanup.add('workshop connections', () => {
    for (const c of connections.splice(0)) c.close();
  });
  for (let i = 0; i < N; i += 10) {
    connections.push(...(await Promise.all(Array.from({ length: Math.min(10, N - i) }, () => PlaygroundConnection.open(backend.url, 'bench-workshop')))));
  }
  await sleep(300);

  // ---- peer: the same kind of program, one session alone on this backend (3 sessions, one run each) ----
  const solo: number[] = [];
  for (let i = 0; i < Math.min(3, N); i++) {
    const c = connections[i]!;
    const at = performance.now();
    const { outcome } = await c.startRun(
      [{ name: `solo${i}.bpf.c`, content: helloWorldSource(`solo_${opts.tagBase}_${i}`, `workshop ${opts.tagBase} solo ${i}`) }],
      [],
      30_000,
    );
    if (isRunning(outcome)) solo.push(performance.now() - at);
    await c.request({ type: 'stop' });
    await sleep(200);
  }
  await sleep(300);

  // ---- run → running: N different programs, sent over one second ----
  const spacing = 1000 / N;
  const t0 = performance.now();
  const sends: { runId: number; at: number }[] = [];
  for (let i = 0; i < N; i++) {
    const due = t0 + i * spacing;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const c = connections[i]!;
    c.inbox.splice(0);
    const at = performance.now();
    const runId = c.send({
      type: 'run',
      files: [{ name: `ws${i}.bpf.c`, content: helloWorldSource(`ws_${opts.tagBase}_${i}`, `workshop ${opts.tagBase} session ${i}`) }],
      seeds: [],
    });
    sends.push({ runId, at });
  }
  const sendSpreadMs = performance.now() - t0;
  const latencies: number[] = [];
  const failed: string[] = [];
  await Promise.all(
    connections.map(async (c, i) => {
      const { runId, at } = sends[i]!;
      const end = await c.waitFor((m) => settlesRun(m, runId), 60_000);
      const ms = performance.now() - at;
      if (isRunning(end)) latencies.push(ms);
      else failed.push(`session ${i}: ${end ? JSON.stringify(end).slice(0, 200) : 'no running within 60 s'}`);
    }),
  );
  let maxQueuePosition = 0;
  for (const c of connections)
    for (const m of c.inbox) if (m.type === 'run_state' && m.queuePosition !== undefined) maxQueuePosition = Math.max(maxQueuePosition, m.queuePosition);
  log(
    `  run → running over ${N} sessions: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms; largest queuePosition ${maxQueuePosition}; ${failed.length} failed`,
  );
  if (failed.length) log(`  failed: ${failed.slice(0, 3).join('; ')}`);

  // ---- idle: stop every run, keep the connections ----
  await Promise.all(connections.map((c) => c.request({ type: 'stop' }, 20_000)));
  await sleep(1500);
  const idleSessions = memorySnapshot(backend.pid);
  const idleCpu = { ...(await cpuPercent(backend.pid, 3000)), windowMs: 3000 };
  log(
    `  ${N} idle sessions: backend + children ${idleSessions.totalMb} MB (backend alone ${idleSessions.backendMb} MB; empty backend + children ${emptyBackend.totalMb} MB); idle CPU ${idleCpu.totalPct}%`,
  );

  // ---- N sessions each running a 1,000-entry hash map, maps polled at the default interval ----
  const mapRuns = await Promise.all(
    connections.map(async (c, i) => {
      c.inbox.splice(0);
      const { runId, outcome: end } = await c.startRun([{ name: `map${i}.bpf.c`, content: mapSource(`wsmap_${opts.tagBase}_${i}`, i) }]);
      if (!isRunning(end)) throw new Error(`session ${i}: the map program did not run: ${end ? JSON.stringify(end).slice(0, 300) : 'no running within 60 s'}`);
      return runId;
    }),
  );
  // One execve runs all N programs, and each fills its map.
  await exited(spawn('/bin/true', [], { stdio: 'ignore' }), 2000);
  const fullCounts = await Promise.all(
    connections.map(async (c, i) => {
      const m = await c.waitFor(
        (msg) => msg.type === 'maps' && msg.runId === mapRuns[i] && msg.maps.some((map) => map.name === 'kv' && map.count >= 1000),
        10_000,
      );
      return m?.type === 'maps' ? m.maps.find((map) => map.name === 'kv')!.count : 0;
    }),
  );
  const sessionsWithFullMap = fullCounts.filter((n) => n >= 1000).length;
  const framesBefore = connections.reduce((n, c) => n + c.inbox.filter((m) => m.type === 'maps').length, 0);
  const windowStart = performance.now();
  const cpu = { ...(await cpuPercent(backend.pid, opts.cpuWindowMs)), windowMs: opts.cpuWindowMs };
  const windowS = (performance.now() - windowStart) / 1000;
  const framesAfter = connections.reduce((n, c) => n + c.inbox.filter((m) => m.type === 'maps').length, 0);
  log(
    `  ${N} sessions with a 1,000-entry map (${sessionsWithFullMap} full): backend + children ${cpu.totalPct}% of a core (backend alone ${cpu.backendPct}%) over ${opts.cpuWindowMs / 1000} s`,
  );
  // A runner that has just loaded a program spends a few seconds in V8 warm-up (JIT, heap growth): measure again once that is over.
  await sleep(STEADY_AFTER_MS);
  const steadyCpu = { ...(await cpuPercent(backend.pid, opts.cpuWindowMs)), windowMs: opts.cpuWindowMs, afterMs: STEADY_AFTER_MS };
  log(`  the same, ${STEADY_AFTER_MS / 1000} s later: ${steadyCpu.totalPct}% (backend alone ${steadyCpu.backendPct}%)`);

  await Promise.all(connections.map((c) => c.request({ type: 'stop' }, 20_000)));
  await closeAll();
  return {
    sessions: N,
    limitsChanged,
    limits: backend.limits,
    sendSpreadMs: round(sendSpreadMs),
    runToRunningMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      max: round(Math.max(...latencies)),
      min: round(Math.min(...latencies)),
      n: latencies.length,
    },
    soloRunToRunningMs: summarize(solo),
    ratioP95ToSolo: round(percentile(latencies, 95) / (solo.sort((a, b) => a - b)[solo.length >> 1] ?? NaN), 2),
    maxQueuePosition,
    failedRuns: failed,
    memory: {
      emptyBackend,
      idleSessions,
      idleTotalPerSessionMb: round((idleSessions.totalMb - emptyBackend.totalMb) / N, 1),
      target: '≤ 250 MB for 50 idle sessions',
    },
    idleCpu,
    mapsRunning: {
      entriesPerMap: summarize(fullCounts),
      sessionsWithFullMap,
      mapIntervalMs: backend.limits.mapIntervalMs,
      mapsFramesPerS: round((framesAfter - framesBefore) / windowS, 1),
      cpu,
      steadyCpu,
      target: '≤ 15% of one core',
    },
    durationS: round((performance.now() - started) / 1000, 1),
  };
}
