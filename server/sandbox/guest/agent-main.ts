/**
 * The agent in a session's VM: PID 1's only child, on a read-only root. It
 * serves the loader (the same calls as the host runner) on the virtio-serial
 * port, streams the guest's own trace_pipe, and runs lesson workloads. The
 * guest kernel is the session's alone, so nothing here needs a tag: every
 * line in the guest's trace buffer is the session's.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, openSync, readdirSync, readFileSync, write } from 'node:fs';
import { release, version } from 'node:os';
import path from 'node:path';
import { asRunnerError, createLoader } from '../../runner/loader.ts';
import type { RunnerRequest } from '../../runner/runner-protocol.ts';
import { makeTriggerEvent, runWorkloadPlan } from '../../lessons/workload.ts';
import { hostFacts } from '../../host/kernel-facts.ts';
import { encodeFrame, FrameReader } from '../channel.ts';
import { AGENT_PORT, type GuestCalls, type GuestHello, type GuestMessage, type GuestOp, type GuestTrace } from './guest-protocol.ts';

const TRACEFS = '/sys/kernel/tracing';
/** Trace text held for the channel at most; past it, whole lines are dropped and counted. */
const MAX_PENDING_TRACE_BYTES = 1 << 20;
const TRACE_FLUSH_MS = 10;

function findPort(): string {
  const dir = '/sys/class/virtio-ports';
  for (const port of existsSync(dir) ? readdirSync(dir) : []) {
    if (readFileSync(path.join(dir, port, 'name'), 'utf8').trim() === AGENT_PORT) return path.join('/dev', port);
  }
  throw new Error(`no virtio-serial port named ${AGENT_PORT}`);
}

const portPath = findPort();
const portFd = openSync(portPath, 'r+');

/** Writes go out one after another, in order; a failed write means the host is gone. */
const writes: { frame: Buffer; done: () => void }[] = [];
let writing = false;
function sendFrame(message: GuestMessage | GuestHello, done: () => void = () => {}): void {
  writes.push({ frame: encodeFrame(message), done });
  if (!writing) drain();
}
function drain(): void {
  const next = writes[0];
  if (!next) {
    writing = false;
    return;
  }
  writing = true;
  write(portFd, next.frame, (error, written) => {
    if (error) process.exit(1);
    if (written < next.frame.length) {
      next.frame = next.frame.subarray(written);
      return drain();
    }
    writes.shift();
    next.done();
    drain();
  });
}

const loader = createLoader({
  send(notice, done) {
    sendFrame(notice, done);
    return true;
  },
});

type Handlers = { [K in GuestOp]: (args: GuestCalls[K]['args']) => Promise<GuestCalls[K]['result']> | GuestCalls[K]['result'] };
const handlers: Handlers = {
  ...loader,
  workload: (plan) => runWorkloadPlan(plan),
  trigger({ what }) {
    makeTriggerEvent(what);
    return null;
  },
  kernelBtf: () => readFileSync('/sys/kernel/btf/vmlinux'),
  kernelFacts: () => hostFacts(),
  kallsyms: () => readFileSync('/proc/kallsyms', 'utf8'),
};

const reader = new FrameReader(
  async (message) => {
    const request = message as RunnerRequest & { op: GuestOp };
    const handler = handlers[request.op] as ((args: unknown) => unknown) | undefined;
    try {
      if (!handler) throw new Error(`the guest agent has no call named ${String(request.op)}`);
      sendFrame({ id: request.id, ok: true, result: await handler(request.args) });
    } catch (error) {
      sendFrame({ id: request.id, ok: false, error: asRunnerError(error) });
    }
  },
  // The host never sends a bad frame; if it seems to, the channel is lost.
  () => process.exit(1),
);
// One fd for both ways: a virtio-serial port takes one open at a time.
createReadStream('', { fd: portFd, autoClose: false, highWaterMark: 256 * 1024 })
  .on('data', (chunk) => reader.push(chunk as Buffer))
  .on('error', () => process.exit(1));

/** The guest trace buffer's overruns, summed over CPUs. */
function overruns(): number {
  let total = 0;
  const perCpu = path.join(TRACEFS, 'per_cpu');
  for (const cpu of existsSync(perCpu) ? readdirSync(perCpu) : []) {
    const match = /^overrun: (\d+)$/m.exec(readFileSync(path.join(perCpu, cpu, 'stats'), 'utf8'));
    if (match) total += Number(match[1]);
  }
  return total;
}

// The guest's own trace_pipe, read by one blocking reader and sent in batches.
let pendingTrace = '';
let droppedLines = 0;
let flushTimer: NodeJS.Timeout | null = null;
let lastOverruns = { at: -Infinity, value: 0 };
let traceInFlight = 0;
function flushTrace(): void {
  flushTimer = null;
  if (!pendingTrace && !droppedLines) return;
  const now = performance.now();
  if (now - lastOverruns.at >= 1000) lastOverruns = { at: now, value: overruns() };
  const notice: GuestTrace = { kind: 'trace', text: pendingTrace, dropped: droppedLines, overruns: lastOverruns.value };
  pendingTrace = '';
  droppedLines = 0;
  traceInFlight++;
  sendFrame(notice, () => traceInFlight--);
}
const tracePipe = spawn('/bin/cat', [path.join(TRACEFS, 'trace_pipe')], { stdio: ['ignore', 'pipe', 'ignore'] });
tracePipe.stdout.setEncoding('utf8');
tracePipe.stdout.on('data', (text: string) => {
  // Behind on the channel: whole lines go, counted, rather than memory without bound.
  if (pendingTrace.length + text.length > MAX_PENDING_TRACE_BYTES || traceInFlight > 16) {
    droppedLines += (text.match(/\n/g) ?? []).length;
  } else pendingTrace += text;
  if (!flushTimer) flushTimer = setTimeout(flushTrace, TRACE_FLUSH_MS);
});

sendFrame({ id: 0, ok: true, result: { release: release(), version: version() } });
