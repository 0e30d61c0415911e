import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The median of the samples (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(values: number[]): Summary {
  return { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)), n: values.length };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Everything the benchmark must undo, run newest first. Each action runs
 * once, and a failing one does not stop the others.
 */
export class Cleanup {
  private actions: { name: string; run: () => void | Promise<void> }[] = [];

  /** Registers an action; the returned function runs it now and forgets it. */
  add(name: string, run: () => void | Promise<void>): () => Promise<void> {
    const action = { name, run };
    this.actions.push(action);
    return async () => {
      const at = this.actions.indexOf(action);
      if (at < 0) return;
      this.actions.splice(at, 1);
      await run();
    };
  }

  async runAll(): Promise<string[]> {
    const problems: string[] = [];
    while (this.actions.length) {
      const action = this.actions.pop()!;
      try {
        await action.run();
      } catch (error) {
        problems.push(`${action.name}: ${(error as Error).message}`);
      }
    }
    return problems;
  }
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Kills one child we started (by its own pid) and waits for it. */
export async function killChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL', graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  if (await exited(child, graceMs)) return;
  child.kill('SIGKILL');
  await exited(child, graceMs);
}

/** Calls `onLine` for each complete line the stream produces. */
export function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
}

export const TRACEFS = '/sys/kernel/tracing';

/** Per-CPU ring buffer statistics of a tracefs instance, summed over CPUs. */
export interface BufferStats {
  entries: number;
  overrun: number;
  readEvents: number;
  droppedEvents: number;
}

export function bufferStats(instanceDir: string): BufferStats {
  const total: BufferStats = { entries: 0, overrun: 0, readEvents: 0, droppedEvents: 0 };
  const perCpu = path.join(instanceDir, 'per_cpu');
  let cpus: string[] = [];
  try {
    cpus = readdirSync(perCpu);
  } catch {
    return total;
  }
  for (const cpu of cpus) {
    let text = '';
    try {
      text = readFileSync(path.join(perCpu, cpu, 'stats'), 'utf8');
    } catch {
      continue;
    }
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    total.entries += field('entries');
    total.overrun += field('overrun');
    total.readEvents += field('read events');
    total.droppedEvents += field('dropped events');
  }
  return total;
}

export function statsDelta(after: BufferStats, before: BufferStats): BufferStats {
  return {
    entries: after.entries,
    overrun: after.overrun - before.overrun,
    readEvents: after.readEvents - before.readEvents,
    droppedEvents: after.droppedEvents - before.droppedEvents,
  };
}

/** Disables printk output in a tracefs instance and removes it (retrying while a killed reader lets go). */
export async function removeInstance(dir: string): Promise<void> {
  try {
    writeFileSync(path.join(dir, 'events/bpf_trace/bpf_trace_printk/enable'), '0');
  } catch {
    // Half made or already gone: the rmdir below decides.
  }
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw error;
      await sleep(25);
    }
  }
  throw new Error(`${dir} is still busy; remove it with rmdir once its reader has exited.`);
}

export { isAlive } from '../server/proc-util.ts';
