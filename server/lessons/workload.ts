import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkloadFacts, WorkloadSpec } from '../../protocol/messages.ts';
import { exec } from '../jail/exec.ts';

/** Sleep lengths just above a power of two in µs, leaving 15–65 ms of room for a loaded machine's scheduling delays before the next log2 slot. */
const SLEEP_MS = [17, 33, 66];
const NOBODY = 65534;

/** What to run for one check: drawn on the backend, run wherever the session's kernel is (the host, or its VM). */
export interface WorkloadPlan {
  /** The shell's name, and so its comm. */
  comm: string;
  /** A directory of its own, made for the run and removed after. */
  dir: string;
  /** A file to create first (the `open` kind reads it). */
  file: { path: string; content: string } | null;
  script: string;
  timeoutMs: number;
}

/** What the shell did. */
export interface WorkloadRun {
  code: number | null;
  timedOut: boolean;
  pid: number | undefined;
  stdout: string;
}

/**
 * Draws a check's random facts and the shell script that makes them: a
 * /bin/sh started through a symlink with a random name, so its comm
 * (`pg_1a2b3c`) and pid are new on every check, and so are the count, the
 * arguments it passes, the file it opens and the sleep length. An answer
 * cannot be printed in advance.
 */
export function planWorkload(spec: WorkloadSpec, timeoutMs: number): { plan: WorkloadPlan; facts: WorkloadFacts } {
  const nonce = randomBytes(4).toString('hex');
  const comm = `pg_${randomBytes(3).toString('hex')}`;
  const [low, high] = spec.count[0] <= spec.count[1] ? spec.count : [spec.count[1], spec.count[0]];
  const count = randomInt(low, high + 1);
  const dir = path.join('/tmp', `pg-lesson-${nonce}`);
  const file = path.join(dir, `${nonce}.txt`);
  const facts: WorkloadFacts = { kind: spec.kind, comm, count, nonce };
  let body: string;
  switch (spec.kind) {
    case 'exec': {
      // A few words after the name, so a check can count the arguments (argc, argv[0] included).
      const words = Array.from({ length: randomInt(1, 5) }, (_, i) => `${nonce}-${i + 1}`);
      facts.argc = words.length + 1;
      // In the background, so the shell can name each child: its pid is on stdout.
      body = `/bin/true ${words.join(' ')} & echo $!; wait`;
      break;
    }
    case 'kill':
      body = 'kill -0 $$';
      break;
    case 'open':
      facts.path = file;
      body = `: < ${file}`;
      break;
    case 'sleep': {
      const ms = SLEEP_MS[randomInt(SLEEP_MS.length)]!;
      facts.ms = ms;
      facts.usBucket = Math.floor(Math.log2(ms * 1000));
      body = `/bin/sleep ${ms / 1000} & echo $!; wait`;
      break;
    }
  }
  // Builtins only around the body (dash: [, kill, :), so each round makes exactly the body's syscalls.
  const script = `i=0; while [ $i -lt ${count} ]; do ${body}; i=$((i+1)); done`;
  return { plan: { comm, dir, file: { path: file, content: `${nonce}\n` }, script, timeoutMs }, facts };
}

/** Runs a plan here, in a fresh child process as nobody (the host's kernel side, and the guest agent in a VM). */
export async function runWorkloadPlan(plan: WorkloadPlan): Promise<WorkloadRun> {
  mkdirSync(plan.dir, { mode: 0o755 });
  try {
    if (plan.file) {
      writeFileSync(plan.file.path, plan.file.content);
      chmodSync(plan.file.path, 0o644);
    }
    const shell = path.join(plan.dir, plan.comm);
    symlinkSync('/bin/sh', shell);
    const result = await exec(shell, ['-c', plan.script], {
      timeoutMs: plan.timeoutMs,
      maxOutputBytes: 4096,
      uid: NOBODY,
      gid: NOBODY,
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
    });
    return { code: result.code, timedOut: result.timedOut, pid: result.pid, stdout: result.stdout.toString('utf8') };
  } finally {
    rmSync(plan.dir, { recursive: true, force: true });
  }
}

/** Runs a check's workload with `run` (where the session's kernel is) and resolves with what it chose once it exits. */
export async function runWorkload(spec: WorkloadSpec, run: (plan: WorkloadPlan) => Promise<WorkloadRun>, timeoutMs: number): Promise<WorkloadFacts> {
  const { plan, facts } = planWorkload(spec, timeoutMs);
  const result = await run(plan);
  if (result.timedOut) throw new Error(`the workload was stopped after ${plan.timeoutMs / 1000} s`);
  if (result.code !== 0 || result.pid === undefined) throw new Error(`the workload exited with status ${result.code}`);
  // Each background child's pid, from `echo $!`: trace_pipe prints "<...>" for a comm it did
  // not cache, so lines are matched by these pids too.
  const children = result.stdout
    .split('\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
  facts.pid = result.pid;
  facts.pids = [result.pid, ...children].join(',');
  return facts;
}

/** Makes the events the examples wait for, for users who have no terminal where the kernel is. */
export function makeTriggerEvent(what: 'exec' | 'open'): void {
  if (what === 'exec') {
    void exec('/bin/true', [], { timeoutMs: 5000, maxOutputBytes: 0 }).catch(() => {});
    return;
  }
  closeSync(openSync('/etc/hostname', 'r'));
}
