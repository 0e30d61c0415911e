/**
 * Benchmark 7, the scaling law: how Run latency and memory grow with the
 * number of sessions (1 → 100, each pressing Run on a new program within one
 * second, on a fresh backend per step), and how reading a map grows with its
 * entries (10 → 100,000), with BPF_MAP_LOOKUP_BATCH against one key at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Collection } from '../native/index.ts';
import { compileBpf } from '../native/test-support.ts';
import { PlaygroundConnection, isRunning } from '../server/cli/connection.ts';
import { startBackendProcess } from './backend.ts';
import { type Cleanup, median, round, sleep } from './util.ts';
import { helloWorldSource, memorySnapshot } from './workshop.ts';

export interface SessionStep {
  sessions: number;
  /** run sent → running, over the sessions of the step. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** RSS of the backend and its children with every session connected and idle, and before any connected. */
  idleMb: number;
  emptyMb: number;
  failed: number;
}

export interface MapStep {
  entries: number;
  /** Median of the reads of the whole map. */
  batchMs: number;
  perKeyMs: number;
  /** per key ÷ batch. */
  ratio: number;
}

export interface ScalingResults {
  sessions: SessionStep[];
  maps: MapStep[];
  note: string;
}

export const SESSION_STEPS = [1, 10, 25, 50, 100];
export const MAP_STEPS = [10, 100, 1_000, 10_000, 100_000];

export async function scaling(
  cleanup: Cleanup,
  log: (text: string) => void,
  tagBase: number,
  sessionSteps = SESSION_STEPS,
  mapSteps = MAP_STEPS,
  reads = 5,
): Promise<ScalingResults> {
  const sessions: SessionStep[] = [];
  for (const n of sessionSteps) {
    sessions.push(await sessionStep(cleanup, n, tagBase + n * 1000));
    const s = sessions.at(-1)!;
    log(
      `  ${n} sessions: run → running p50 ${s.p50Ms} / p95 ${s.p95Ms} / max ${s.maxMs} ms; idle ${s.idleMb} MB (empty ${s.emptyMb} MB)${s.failed ? `; ${s.failed} failed` : ''}`,
    );
  }
  const maps = await mapSteps_(mapSteps, reads, log);
  return { sessions, maps, note: 'a fresh backend per session step (default limits); map reads through the native addon in this process, every entry read' };
}

async function sessionStep(cleanup: Cleanup, n: number, tag: number): Promise<SessionStep> {
  const backend = await startBackendProcess(cleanup, {});
  const connections: PlaygroundConnection[] = [];
  const close = cleanup.add(`scaling: ${n} connections`, () => {
    for (const c of connections.splice(0)) c.close();
  });
  try {
    await sleep(500);
    const empty = memorySnapshot(backend.pid);
    for (let i = 0; i < n; i += 10) {
      connections.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => PlaygroundConnection.open(backend.url, 'bench-scaling')))));
    }
    await sleep(300);
    const spacing = 1000 / n;
    const t0 = performance.now();
    const latencies: number[] = [];
    let failed = 0;
    await Promise.all(
      connections.map(async (c, i) => {
        await sleep(Math.max(0, t0 + i * spacing - performance.now()));
        const at = performance.now();
        const { outcome } = await c.startRun([{ name: `s${i}.bpf.c`, content: helloWorldSource(`sc_${tag}_${i}`, `scaling ${tag} ${i}`) }]);
        if (isRunning(outcome)) latencies.push(performance.now() - at);
        else failed++;
      }),
    );
    await Promise.all(connections.map((c) => c.request({ type: 'stop' }, 20_000).catch(() => null)));
    await sleep(1500);
    const idle = memorySnapshot(backend.pid);
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN);
    return {
      sessions: n,
      p50Ms: at(50),
      p95Ms: at(95),
      maxMs: round(sorted.at(-1) ?? NaN),
      idleMb: round(idle.totalMb),
      emptyMb: round(empty.totalMb),
      failed,
    };
  } finally {
    await close();
    await backend.stop();
  }
}

/** A hash map of `entries` u32 → u64, filled from user space, read whole both ways. */
async function mapSteps_(steps: number[], reads: number, log: (text: string) => void): Promise<MapStep[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-scaling-'));
  const out: MapStep[] = [];
  try {
    for (const entries of steps) {
      const source = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, ${entries}); __type(key, __u32); __type(value, __u64); } kv SEC(".maps");
SEC("tp/syscalls/sys_enter_getppid")
int scaling_touch(void *ctx) { __u32 k = 0; bpf_map_lookup_elem(&kv, &k); return 0; }
char LICENSE[] SEC("license") = "GPL";
`;
      const c = Collection.open(compileBpf(dir, `kv${entries}`, source));
      try {
        await c.load();
        const key = Buffer.alloc(4);
        const value = Buffer.alloc(8);
        for (let i = 0; i < entries; i++) {
          key.writeUInt32LE(i);
          value.writeBigUInt64LE(BigInt(i) * 3n);
          c.update('kv', key, value);
        }
        const time = async (batch: boolean) => {
          const samples: number[] = [];
          for (let r = 0; r < reads; r++) {
            const started = performance.now();
            const dump = await c.dump('kv', entries + 1, { batch });
            samples.push(performance.now() - started);
            if (dump.count !== entries) throw new Error(`read ${dump.count} of ${entries} entries`);
          }
          return median(samples);
        };
        const batchMs = await time(true);
        const perKeyMs = await time(false);
        out.push({ entries, batchMs: round(batchMs, 3), perKeyMs: round(perKeyMs, 3), ratio: round(perKeyMs / batchMs) });
        log(
          `  ${entries.toLocaleString('en-US')} entries: batch ${round(batchMs, 3)} ms, one key at a time ${round(perKeyMs, 3)} ms (${round(perKeyMs / batchMs)}×)`,
        );
      } finally {
        c.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
