import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkloadFacts, WorkloadSpec } from '../../protocol/messages.ts';
import { exec } from '../exec.ts';

/** Sleep lengths just above a power of two in µs, leaving 15–65 ms of room for a loaded machine's scheduling delays before the next log2 slot. */
const SLEEP_MS = [17, 33, 66];
const NOBODY = 65534;
const TIMEOUT_MS = 15_000;

/**
 * Makes the events a lesson's check looks for, in a fresh child process run
 * as nobody. It is a /bin/sh started through a symlink with a random name,
 * so its comm (`pg_1a2b3c`) and pid are new on every check, and so are the
 * count, the file it opens and the sleep length: an answer cannot be
 * printed in advance. Resolves with what it chose once the process exits.
 */
export async function runWorkload(spec: WorkloadSpec): Promise<WorkloadFacts> {
  const nonce = randomBytes(4).toString('hex');
  const comm = `pg_${randomBytes(3).toString('hex')}`;
  const [low, high] = spec.count[0] <= spec.count[1] ? spec.count : [spec.count[1], spec.count[0]];
  const count = randomInt(low, high + 1);
  const dir = path.join('/tmp', `pg-lesson-${nonce}`);
  const file = path.join(dir, `${nonce}.txt`);
  const facts: WorkloadFacts = { kind: spec.kind, comm, count, nonce };
  let body: string;
  switch (spec.kind) {
    case 'exec':
      // In the background, so the shell can name each child: its pid is on stdout.
      body = '/bin/true & echo $!; wait';
      break;
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
  mkdirSync(dir, { mode: 0o755 });
  try {
    writeFileSync(file, `${nonce}\n`);
    chmodSync(file, 0o644);
    const shell = path.join(dir, comm);
    symlinkSync('/bin/sh', shell);
    // Builtins only around the body (dash: [, kill, :), so each round makes exactly the body's syscalls.
    const script = `i=0; while [ $i -lt ${count} ]; do ${body}; i=$((i+1)); done`;
    const result = await exec(shell, ['-c', script], { timeoutMs: TIMEOUT_MS, maxOutputBytes: 4096, uid: NOBODY, gid: NOBODY, cwd: '/', env: { PATH: '/usr/bin:/bin' } });
    if (result.timedOut) throw new Error(`the workload was stopped after ${TIMEOUT_MS / 1000} s`);
    if (result.code !== 0 || result.pid === undefined) throw new Error(`the workload exited with status ${result.code}`);
    // Each background child's pid, from `echo $!`: trace_pipe prints "<...>" for a comm it did
    // not cache, so lines are matched by these pids too.
    const children = result.stdout.toString('utf8').split('\n').filter((line) => /^\d+$/.test(line)).map(Number);
    facts.pid = result.pid;
    facts.pids = [result.pid, ...children].join(',');
    return facts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
