/**
 * Which kinds of BPF program load and attach on this host, found by trying:
 * at start the backend compiles one tiny program per kind with the real
 * toolchain, loads it in a throwaway runner, attaches it and closes it.
 * Kernels differ (this project's VM has no kprobes and refuses the BPF
 * trampoline; a laptop may allow everything), so nothing here is assumed.
 * The answer is cached per kernel release and toolchain.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { capabilitySchema, type Capability } from '../../protocol/messages.ts';
import type { Config } from '../config.ts';
import { compile } from '../compile/compiler.ts';
import type { Toolchain } from '../compile/toolchain.ts';
import { Runner, RunnerCallError } from '../runner/runner.ts';
import type { RunnerCalls } from '../runner/runner-protocol.ts';
import type { Loader } from '../sandbox/sandbox.ts';
import { hostFacts, KPROBE_TARGET, LSM_HOOK, type HostFacts } from './kernel-facts.ts';
import { toCapabilities, type Kind, type ProbeOutcome } from './capability-notes.ts';

export { hostFacts, type HostFacts } from './kernel-facts.ts';

interface Probe {
  kind: Kind;
  /** The program's name: `pgcap_` marks ours in `bpftool prog show` (at most 15 characters). */
  program: string;
  /** libbpf's type name, for when the probe never got as far as libbpf. */
  type: string;
  /** The probed section and the program's signature and body. */
  section: string;
  code: string;
  /** Kinds the playground never attaches: attaches is null whatever libbpf does. */
  attachable: boolean;
}

/** Bumped whenever a probe changes what it tries (2: perf_event is attached, to the CPU clock). */
const PROBES_VERSION = '2';

/** Where each kind is tried: targets every kernel of the last years has. */

function probes(uprobeTarget: string): Probe[] {
  const tracing = (kind: Kind, program: string, type: string, section: string) => ({
    kind,
    program,
    type,
    section,
    code: `int ${program}(unsigned long long *ctx)\n{\n\treturn 0;\n}`,
    attachable: true,
  });
  const plain = (kind: Kind, program: string, type: string, section: string, ctx = 'void *ctx', ret = '0', attachable = true) => ({
    kind,
    program,
    type,
    section,
    code: `int ${program}(${ctx})\n{\n\treturn ${ret};\n}`,
    attachable,
  });
  return [
    plain('tracepoint', 'pgcap_tp', 'tracepoint', 'tracepoint/syscalls/sys_enter_openat'),
    plain('raw_tp', 'pgcap_raw_tp', 'raw_tracepoint', 'raw_tp/sys_enter'),
    tracing('tp_btf', 'pgcap_tp_btf', 'tracing', 'tp_btf/sys_enter'),
    plain('kprobe', 'pgcap_kprobe', 'kprobe', `kprobe/${KPROBE_TARGET}`),
    plain('uprobe', 'pgcap_uprobe', 'kprobe', `uprobe/${uprobeTarget}`),
    tracing('fentry', 'pgcap_fentry', 'tracing', `fentry/${KPROBE_TARGET}`),
    tracing('lsm', 'pgcap_lsm', 'lsm', `lsm/${LSM_HOOK}`),
    plain('iter', 'pgcap_iter', 'tracing', 'iter/task', 'void *ctx', '0', false),
    plain('xdp', 'pgcap_xdp', 'xdp', 'xdp', 'struct xdp_md *ctx', 'XDP_PASS', false),
    plain('socket', 'pgcap_socket', 'socket_filter', 'socket', 'struct __sk_buff *skb', '0', false),
    // Attached as a profiler is: to every CPU's software clock.
    plain('perf_event', 'pgcap_perf', 'perf_event', 'perf_event'),
  ];
}

function source(probe: Probe): string {
  return [
    '// SPDX-License-Identifier: GPL-2.0',
    '/* Probes whether this kernel loads and attaches one kind of program. */',
    '#include <linux/bpf.h>',
    '#include <bpf/bpf_helpers.h>',
    '',
    `SEC("${probe.section}")`,
    probe.code,
    '',
    // Tracing kinds (fentry, lsm, tp_btf) require a GPL-compatible license.
    'char LICENSE[] SEC("license") = "GPL";',
    '',
  ].join('\n');
}

/**
 * A uprobe target that exists here: libc's getpid, libc being the one this
 * process mapped (its path differs between distributions), else a function
 * the node binary exports.
 */
export function findUprobeTarget(maps: string = readFileSafe('/proc/self/maps')): string {
  const SAFE = /^\/[A-Za-z0-9_.+/-]+$/;
  for (const line of maps.split('\n')) {
    const file = line.trim().split(/\s+/)[5];
    if (file && SAFE.test(file) && /\/(libc\.so\.\d+|libc-[\d.]+\.so|ld-musl-[^/]+\.so\.1)$/.test(file)) return `${file}:getpid`;
  }
  return SAFE.test(process.execPath) ? `${process.execPath}:napi_create_object` : '/proc/self/exe:napi_create_object';
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** One probe's load or attach may not take longer than this (SECURITY.md's load limit). */
const STEP_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`it took longer than ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

interface CallError {
  errno?: number;
  code?: string;
  message?: string;
  verifierLog?: string | null;
  libbpfLog?: string;
}

function failureOf(stage: NonNullable<ProbeOutcome['failure']>['stage'], error: unknown): NonNullable<ProbeOutcome['failure']> {
  const e = error as CallError;
  // Only a RunnerCallError is libbpf or the kernel speaking; anything else (a
  // runner that never booted, a timeout) says nothing about this kind.
  const runnerDied = !(error instanceof RunnerCallError) || e.code === 'ERUNNER';
  return {
    stage: runnerDied ? 'runner' : stage,
    errno: e.errno ?? 0,
    code: e.code ?? 'EINTERNAL',
    message: e.message ?? String(error),
    log: `${e.libbpfLog ?? ''}\n${e.verifierLog ?? ''}`,
  };
}

/** Where the probes run: the host's kernel (a throwaway runner), or a VM kernel (a throwaway VM). */
export interface ProbeTarget {
  /** The kernel's release: the cache is kept per release and toolchain. */
  release: string;
  newLoader(): Loader;
  uprobeTarget: string;
  /** Read where the kernel is. */
  facts(): Promise<HostFacts>;
}

export function hostProbeTarget(): ProbeTarget {
  return { release: os.release(), newLoader: () => new Runner(), uprobeTarget: findUprobeTarget(), facts: async () => hostFacts() };
}

/** Ends a loader and waits for its process to be gone: only then has the kernel released what it held. */
async function stopRunner(runner: Loader): Promise<void> {
  if (!runner.alive) return;
  const gone = new Promise<void>((resolve) => {
    const previous = runner.onExit;
    runner.onExit = (reason) => {
      previous?.(reason);
      resolve();
    };
  });
  runner.kill();
  await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 2_000))]);
}

/** Runs every probe, one after another, in one throwaway loader (a new one only if it dies). */
export async function runProbes(config: Config, toolchain: Toolchain, target: ProbeTarget = hostProbeTarget()): Promise<ProbeOutcome[]> {
  const list = probes(target.uprobeTarget);
  let runner = target.newLoader();
  const outcomes: ProbeOutcome[] = [];
  try {
    // Compiles go first, all at once (about 60 ms each in the jail), while the runner boots.
    const compiled = await Promise.all(
      list.map((probe) =>
        compile(config, toolchain, [{ name: `${probe.program}.bpf.c`, content: source(probe) }], { traceTag: '' }).catch((error: Error) => error),
      ),
    );
    for (const [i, probe] of list.entries()) {
      const base = { kind: probe.kind, section: probe.kind, type: probe.type };
      const result = compiled[i]!;
      if (result instanceof Error || !result.ok || !result.object) {
        const message = result instanceof Error ? result.message : (result.error?.message ?? 'the compile failed');
        const log = result instanceof Error ? '' : result.log;
        outcomes.push({ ...base, loads: false, attaches: null, failure: { stage: 'compile', errno: 0, code: 'ECOMPILE', message, log } });
        continue;
      }
      if (!runner.alive) runner = target.newLoader();
      // A VM boots for seconds: the step timeouts are for the kernel's answers, not the boot.
      await runner.ready.catch(() => {});
      const outcome = await probeOne(runner, probe, result.object, base);
      outcomes.push(outcome);
      // A step that timed out leaves the runner busy: the next kind gets a fresh one.
      if (outcome.failure?.stage === 'runner') await stopRunner(runner);
    }
  } finally {
    await stopRunner(runner);
  }
  return outcomes;
}

/** Low: the perf_event probe only has to attach, and is closed at once. */
const PROBE_PERF_FREQUENCY = 1;

async function probeOne(runner: Loader, probe: Probe, object: Buffer, base: { kind: Kind; section: string; type: string }): Promise<ProbeOutcome> {
  let type = base.type;
  try {
    try {
      const opened = await withTimeout(runner.call('open', { object, name: 'pgcap' }), STEP_TIMEOUT_MS);
      type = opened.programs[0]?.typeName ?? type;
    } catch (error) {
      return { ...base, type, loads: false, attaches: null, failure: failureOf('open', error) };
    }
    try {
      await withTimeout(runner.call('load', {}), STEP_TIMEOUT_MS);
    } catch (error) {
      return { ...base, type, loads: false, attaches: null, failure: failureOf('load', error) };
    }
    if (!probe.attachable) return { ...base, type, loads: true, attaches: null };
    let attached: RunnerCalls['attachAll']['result'];
    try {
      attached = await withTimeout(runner.call('attachAll', { perfFrequency: PROBE_PERF_FREQUENCY }), STEP_TIMEOUT_MS);
    } catch (error) {
      return { ...base, type, loads: true, attaches: false, failure: failureOf('attach', error) };
    }
    const result = attached.results.find((r) => r.program === probe.program);
    if (result?.attached) return { ...base, type, loads: true, attaches: true };
    return {
      ...base,
      type,
      loads: true,
      attaches: false,
      failure: {
        stage: 'attach',
        errno: result?.errno ?? 0,
        code: result?.code ?? 'EINTERNAL',
        message: result?.message ?? 'attach failed',
        log: result?.libbpfLog ?? '',
      },
    };
  } finally {
    // Detach and unload before the next kind: nothing of a probe outlives it.
    if (runner.alive) await withTimeout(runner.call('close', {}), STEP_TIMEOUT_MS).catch(() => {});
  }
}

const cacheSchema = z.object({
  kernel: z.string(),
  toolchain: z.string(),
  probedAt: z.string(),
  capabilities: z.array(capabilitySchema),
});

export function capabilitiesCachePath(config: Config, toolchain: Toolchain, kernelRelease = os.release()): string {
  const release = kernelRelease.replace(/[^A-Za-z0-9._+-]/g, '_');
  // The probes' own version too: a cache made before a probe changed says nothing of it.
  const digest = createHash('sha256').update(toolchain.version).update(PROBES_VERSION).digest('hex').slice(0, 12);
  return path.join(config.cacheDir, `capabilities-${release}-${digest}.json`);
}

function readCache(file: string, toolchain: Toolchain, release: string): Capability[] | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = cacheSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success && parsed.data.kernel === release && parsed.data.toolchain === toolchain.version ? parsed.data.capabilities : null;
  } catch {
    return null;
  }
}

/**
 * Which program kinds load and attach on this host: from the cache when this
 * kernel and toolchain were probed before, else by trying each (about a
 * second). Results the probe could not trust (not root, a compile that
 * failed, a loader that died or hung) are returned but not cached.
 */
export async function probeCapabilities(config: Config, toolchain: Toolchain, target: ProbeTarget = hostProbeTarget()): Promise<Capability[]> {
  const file = capabilitiesCachePath(config, toolchain, target.release);
  const cached = readCache(file, toolchain, target.release);
  if (cached) return cached;
  const facts = await target.facts();
  const outcomes = await runProbes(config, toolchain, target);
  const capabilities = toCapabilities(outcomes, facts);
  const trustworthy = process.getuid?.() === 0 && outcomes.every((o) => o.failure?.stage !== 'compile' && o.failure?.stage !== 'runner');
  if (trustworthy) {
    mkdirSync(config.cacheDir, { recursive: true });
    const body = { kernel: target.release, toolchain: toolchain.version, probedAt: new Date().toISOString(), capabilities };
    // Written under another name first, so a crash never leaves half a file.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  }
  return capabilities;
}
