import { spawn } from 'node:child_process';
import type { ServerMessage, Timings } from '../protocol/messages.ts';
import type { PlaygroundConnection } from '../server/cli/connection.ts';
import { type Cleanup, exited, killChild, onLines } from './util.ts';

type RunState = Extract<ServerMessage, { type: 'run_state' }>;

/**
 * A CO-RE program that includes vmlinux.h: on every execve it counts by comm
 * and records the parent's tgid through BPF_CORE_READ. `tag` goes into a
 * comment and into a constant in the code, so each tag is a new program
 * (new source, new object) that no cache could serve.
 */
export function coreSource(tag: number): string {
  return `// SPDX-License-Identifier: GPL-2.0
/* eBPF Playground benchmark program #${tag}: a new source on every run. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct bench_exec_stat {
	__u64 count;
	__u32 last_ppid;
	__u32 tag;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[16]);
	__type(value, struct bench_exec_stat);
} execs SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int bench_execve(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct bench_exec_stat fresh = { .tag = ${tag} }, *stat;
	char comm[16] = {};

	bpf_get_current_comm(comm, sizeof(comm));
	stat = bpf_map_lookup_elem(&execs, comm);
	if (!stat) {
		bpf_map_update_elem(&execs, comm, &fresh, BPF_NOEXIST);
		stat = bpf_map_lookup_elem(&execs, comm);
		if (!stat)
			return 0;
	}
	__sync_fetch_and_add(&stat->count, 1);
	stat->last_ppid = BPF_CORE_READ(task, real_parent, tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

export interface PlaygroundSample {
  /** Client's `run` send → `run_state: running` received. */
  totalMs: number;
  compileMs: number;
  loadMs: number;
  attachMs: number;
  /** Everything else on the path: WebSocket, temp files, jail start-up not in clang's time, BTF parse, messages. */
  otherMs: number;
  /** bpftool gen skeleton, which runs beside the load (not on the critical path). */
  skeletonMs: number | null;
  objectBytes: number | null;
  /** Characters of the skeleton header sent to the client (it embeds the whole object). */
  skeletonChars: number | null;
}

/** One Run through the real WebSocket API, timed from the client; stops it before returning. */
export async function timePlaygroundRun(
  connection: PlaygroundConnection,
  content: string,
  whileRunning?: (runId: number) => Promise<void>,
): Promise<PlaygroundSample> {
  connection.inbox.splice(0);
  const started = performance.now();
  const { runId, outcome: end } = await connection.startRun([{ name: 'bench_core.bpf.c', content }], [], 30_000);
  const totalMs = performance.now() - started;
  if (!end) throw new Error('the run did not reach "running" within 30 s.');
  if (end.type === 'reply') throw new Error(`the run was refused: ${end.error?.message}`);
  const state = end as RunState;
  if (state.state === 'error') throw new Error(`the run failed at ${state.stage}: ${state.error?.message}`);

  // As a user opening Inspect would: the skeleton and the inspector, made after running
  // (off the critical path), waited for so they do not overlap the next measurement.
  connection.send({ type: 'inspect' });
  const skeleton = await connection.waitFor((m) => m.type === 'skeleton' && m.runId === runId, 10_000);
  await connection.waitFor((m) => m.type === 'inspect' && m.runId === runId, 10_000);
  const compiled = connection.inbox.find((m) => m.type === 'compiled' && m.runId === runId);
  if (!skeleton) throw new Error('no skeleton message within 10 s of running.');
  await whileRunning?.(runId);
  const stopped = await connection.request({ type: 'stop' });
  if (!stopped.ok) throw new Error(`stop failed: ${stopped.error?.message}`);

  const t: Timings = state.timings;
  const compileMs = t.compileMs ?? NaN;
  const loadMs = t.loadMs ?? NaN;
  const attachMs = t.attachMs ?? NaN;
  // The skeleton's time arrives in the timings of later state messages only; ask the stop's run_state.
  const stoppedState = connection.inbox.find((m): m is RunState => m.type === 'run_state' && m.runId === runId && m.state === 'stopped');
  return {
    totalMs,
    compileMs,
    loadMs,
    attachMs,
    otherMs: totalMs - compileMs - loadMs - attachMs,
    skeletonMs: stoppedState?.timings.skeletonMs ?? null,
    objectBytes: compiled?.type === 'compiled' ? (compiled.objectSize ?? null) : null,
    skeletonChars: skeleton.type === 'skeleton' ? skeleton.text.length : null,
  };
}

/**
 * A new program the way the page sends it: `prepare` when the user pauses
 * typing, its reply (the compile and the minimal BTF are done), then Run,
 * timed like any other Run. `prepareMs` is how long the compile ahead took.
 */
export async function timePreparedRun(connection: PlaygroundConnection, content: string): Promise<PlaygroundSample & { prepareMs: number }> {
  const files = [{ name: 'bench_core.bpf.c', content }];
  const started = performance.now();
  const prepared = await connection.request({ type: 'prepare', files }, 30_000);
  if (!prepared.ok) throw new Error(`prepare was refused: ${prepared.error?.message}`);
  const prepareMs = performance.now() - started;
  return { ...(await timePlaygroundRun(connection, content)), prepareMs };
}

export const BPFTRACE_PROGRAM = 'tracepoint:syscalls:sys_enter_execve { @[comm] = count(); } BEGIN { printf("ready\\n"); }';

export interface BpftraceSample {
  /** spawn → "ready" on stdout. */
  readyMs: number;
  /** spawn → "Attaching N probes..." on stdout (parse, codegen and LLVM are done by then). */
  attachingMs: number;
  /** The line bpftrace printed before attaching, e.g. "Attaching 2 probes...". */
  attachingLine: string;
  /** An execve made right after "ready" was counted by the tracepoint probe. */
  verified: boolean;
  checkCount: number;
}

/**
 * bpftrace's cold start: a new process each time, timed until its BEGIN
 * output reaches stdout. Then `checkExe` (a symlink whose name becomes the
 * comm of a process that calls execve) runs, bpftrace is stopped with SIGINT
 * and must print that comm in its map: proof that the tracepoint was
 * attached by the time "ready" was read.
 */
export async function timeBpftraceColdStart(cleanup: Cleanup, checkExe: string, checkComm: string): Promise<BpftraceSample> {
  const started = performance.now();
  const child = spawn('bpftrace', ['-e', BPFTRACE_PROGRAM], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = cleanup.add('bpftrace', () => killChild(child, 'SIGKILL'));
  try {
    let attachingMs = NaN;
    let attachingLine = '';
    const out: string[] = [];
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bpftrace printed no "ready" within 20 s. stderr: ${stderr}`)), 20_000);
      onLines(child.stdout!, (line) => {
        out.push(line);
        if (/^Attaching \d+ probes?/.test(line) && Number.isNaN(attachingMs)) {
          attachingMs = performance.now() - started;
          attachingLine = line;
        }
        if (line === 'ready') {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`bpftrace exited before "ready" (${signal ?? `code ${code}`}): ${stderr.trim()}`));
      });
    });

    const check = spawn(checkExe, ['-c', 'exec /bin/true'], { stdio: 'ignore' });
    await exited(check, 5000);
    // bpftrace notices SIGINT only if it lands in its epoll_wait (otherwise it waits for the next
    // perf event, and this probe sends none): repeat the signal until it exits.
    for (let i = 0; i < 20 && !(await exited(child, 0)); i++) {
      child.kill('SIGINT');
      await exited(child, 500);
    }
    if (!(await exited(child, 0))) {
      throw new Error(
        `bpftrace did not exit within 10 s of SIGINT (check exited: ${check.exitCode ?? check.signalCode}). stdout: ${out.join(' | ').slice(0, 500)} stderr: ${stderr.trim().slice(0, 500)}`,
      );
    }
    const counted = new RegExp(`^@\\[${checkComm}\\]: (\\d+)$`);
    const checkCount = Number(out.map((l) => counted.exec(l)?.[1]).find((v) => v !== undefined) ?? 0);
    return { readyMs, attachingMs, attachingLine, verified: checkCount >= 1, checkCount };
  } finally {
    await stop();
  }
}
