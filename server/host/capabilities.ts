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
import type { Loader } from '../sandbox/sandbox.ts';
import { hostFacts, KPROBE_TARGET, LSM_HOOK, type HostFacts } from './kernel-facts.ts';
import { capitalize } from '../text.ts';

export { hostFacts, type HostFacts } from './kernel-facts.ts';

export type Kind = 'tracepoint' | 'raw_tp' | 'tp_btf' | 'kprobe' | 'uprobe' | 'fentry' | 'lsm' | 'iter' | 'xdp' | 'socket' | 'perf_event';

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

/** Where each kind is tried: targets every kernel of the last years has. */

function probes(uprobeTarget: string): Probe[] {
  const tracing = (kind: Kind, program: string, type: string, section: string) =>
    ({ kind, program, type, section, code: `int ${program}(unsigned long long *ctx)\n{\n\treturn 0;\n}`, attachable: true });
  const plain = (kind: Kind, program: string, type: string, section: string, ctx = 'void *ctx', ret = '0', attachable = true) =>
    ({ kind, program, type, section, code: `int ${program}(${ctx})\n{\n\treturn ${ret};\n}`, attachable });
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
    plain('perf_event', 'pgcap_perf', 'perf_event', 'perf_event', 'void *ctx', '0', false),
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
  const SAFE = /^\/[A-Za-z0-9_.+\/-]+$/;
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

/** What one probe did. */
export interface ProbeOutcome {
  kind: Kind;
  section: string;
  type: string;
  loads: boolean;
  /** null for kinds the playground does not attach, or when the program did not load. */
  attaches: boolean | null;
  /** Set when something did not work: where, and what libbpf and the kernel said. */
  failure?: {
    stage: 'compile' | 'open' | 'load' | 'attach' | 'runner';
    errno: number;
    code: string;
    message: string;
    /** libbpf's messages and the verifier log. */
    log: string;
  };
}


/** Where a learner can go instead, in order of preference; only kinds that work here are offered. */
const INSTEAD: Partial<Record<Kind, [Kind, string][]>> = {
  kprobe: [['tracepoint', 'tracepoint/syscalls/sys_enter_openat'], ['fentry', `fentry/${KPROBE_TARGET}`], ['raw_tp', 'raw_tp/sys_enter']],
  fentry: [['tp_btf', 'tp_btf/sys_enter'], ['tracepoint', 'tracepoint/syscalls/sys_enter_openat'], ['kprobe', `kprobe/${KPROBE_TARGET}`]],
  lsm: [['tracepoint', 'tracepoint/syscalls/sys_enter_openat'], ['fentry', `fentry/security_${LSM_HOOK}`]],
  tp_btf: [['raw_tp', 'raw_tp/sys_enter'], ['tracepoint', 'tracepoint/syscalls/sys_enter_openat']],
  raw_tp: [['tracepoint', 'tracepoint/syscalls/sys_enter_openat'], ['tp_btf', 'tp_btf/sys_enter']],
  tracepoint: [['raw_tp', 'raw_tp/sys_enter'], ['tp_btf', 'tp_btf/sys_enter']],
};

const LABEL: Record<Kind, string> = {
  tracepoint: 'tracepoint programs',
  raw_tp: 'raw tracepoint programs',
  tp_btf: 'BTF tracepoint (tp_btf) programs',
  kprobe: 'kprobes',
  uprobe: 'uprobes',
  fentry: 'fentry and fexit programs',
  lsm: 'LSM programs',
  iter: 'iterator programs',
  xdp: 'xdp programs',
  socket: 'socket filter programs',
  perf_event: 'perf_event programs',
};

const works = (o: ProbeOutcome) => o.loads && o.attaches !== false;

function suggestion(kind: Kind, outcomes: ProbeOutcome[]): string {
  const options = (INSTEAD[kind] ?? []).filter(([k]) => outcomes.some((o) => o.kind === k && works(o))).slice(0, 2);
  if (!options.length) return '';
  const [first, second] = options;
  const name = (k: Kind, section: string) => (k === 'tracepoint' ? `a tracepoint such as ${section}` : section);
  return `; try ${name(...first!)}${second ? ` or ${name(...second)}` : ''} instead`;
}

/** A kernel errno in words a learner can follow. */
function plainError(code: string, message: string): string {
  switch (code) {
    case 'EPERM':
    case 'EACCES':
      return 'the kernel refused them (permission denied, even to root)';
    case 'EINVAL':
      return 'the kernel does not accept them (invalid argument)';
    case 'ENOTSUPP':
    case 'EOPNOTSUPP':
      return 'this kernel does not support them';
    case 'ENOENT':
      return 'something they need is missing from this kernel (no such file or directory)';
    default:
      return message.replace(/^(load|attach) failed: /, '').replace(/\.$/, '') || code;
  }
}

/**
 * One sentence saying why a kind does not work here, or what the playground
 * does with kinds it never attaches; undefined when it simply works. Derived
 * from the errno and libbpf's log where they say more than the kind does.
 */
export function noteFor(outcome: ProbeOutcome, outcomes: ProbeOutcome[], facts: HostFacts): string | undefined {
  const { kind, failure } = outcome;
  const label = LABEL[kind];
  const instead = suggestion(kind, outcomes);
  const trampolineRefused = (o: ProbeOutcome | undefined) =>
    o?.failure?.stage === 'load' && ['EPERM', 'ENOTSUPP', 'EOPNOTSUPP'].includes(o.failure.code) && !/find kernel BTF type ID/.test(o.failure.log);

  if (!failure) {
    switch (kind) {
      case 'xdp':
        return 'xdp programs need a network interface to attach to; the playground does not attach them.';
      case 'socket':
        return 'socket filter programs need a socket to attach to; the playground does not attach them.';
      case 'perf_event':
        return 'perf_event programs need a perf event (a CPU timer or counter) to attach to; the playground does not attach them.';
      case 'iter':
        return 'iterator programs are read (each read runs the program once per item), not attached; the playground does not read them.';
      default:
        return undefined;
    }
  }
  const missingFunction = /failed to find kernel BTF type ID of '([^']+)'/.exec(failure.log)?.[1];
  switch (failure.stage) {
    case 'compile':
      return `The playground could not compile its test program for ${label}, so whether they work here is unknown: ${failure.message}`;
    case 'runner':
      return `The loader process failed while trying ${label}, so whether they work here is unknown (${failure.message}).`;
    case 'open':
      return `libbpf could not open the test program for ${label} (${failure.message}), so whether they work here is unknown.`;
    default:
      break;
  }
  if (missingFunction) {
    return `${capitalize(label)} could not be tried: the function ${missingFunction} is not in this kernel's BTF${instead}.`;
  }
  if (failure.stage === 'load') {
    if (kind === 'fentry' && trampolineRefused(outcome)) {
      return `fentry and fexit programs are refused here (the kernel does not allow the BPF trampoline they need)${instead}.`;
    }
    if (kind === 'lsm') {
      if (facts.lsms && !facts.lsms.includes('bpf')) {
        return `LSM programs do not load here: the BPF LSM is not active (the kernel's lsm= boot list is ${facts.lsms.join(',')}, without bpf)${instead}.`;
      }
      if (trampolineRefused(outcome) && trampolineRefused(outcomes.find((o) => o.kind === 'fentry'))) {
        return `LSM programs are refused here (the kernel does not allow the BPF trampoline they need)${instead}.`;
      }
    }
    return `${capitalize(label)} do not load here: ${plainError(failure.code, failure.message)}${instead}.`;
  }
  // Attach failures.
  if (kind === 'kprobe' && !facts.kprobes) {
    return `kprobes are not available on this kernel (CONFIG_KPROBES is off)${instead}.`;
  }
  if (kind === 'kprobe' && failure.code === 'ENOENT' && !facts.kprobeTargetExists) {
    return `kprobes could not be tried: the function ${KPROBE_TARGET} is not in this kernel${instead}.`;
  }
  if (kind === 'uprobe' && !facts.uprobes) {
    return 'uprobes are not available on this kernel (CONFIG_UPROBE_EVENTS is off).';
  }
  if (kind === 'tracepoint' && !facts.tracefs) {
    return `tracepoint programs cannot attach because tracefs is not mounted at /sys/kernel/tracing (run "mount -t tracefs none /sys/kernel/tracing" as root)${instead}.`;
  }
  if (kind === 'lsm' && facts.lsms && !facts.lsms.includes('bpf')) {
    return `LSM programs load but do not attach here: the BPF LSM is not active (the kernel's lsm= boot list is ${facts.lsms.join(',')}, without bpf)${instead}.`;
  }
  if ((kind === 'fentry' || kind === 'lsm') && ['EPERM', 'ENOTSUPP', 'EOPNOTSUPP', 'EBUSY'].includes(failure.code)) {
    return `${capitalize(label)} load but cannot attach here (the kernel does not allow the BPF trampoline they need)${instead}.`;
  }
  return `${capitalize(label)} load but do not attach here: ${plainError(failure.code, failure.message)}${instead}.`;
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
    let attached;
    try {
      attached = await withTimeout(runner.call('attachAll', {}), STEP_TIMEOUT_MS);
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
      failure: { stage: 'attach', errno: result?.errno ?? 0, code: result?.code ?? 'EINTERNAL', message: result?.message ?? 'attach failed', log: result?.libbpfLog ?? '' },
    };
  } finally {
    // Detach and unload before the next kind: nothing of a probe outlives it.
    if (runner.alive) await withTimeout(runner.call('close', {}), STEP_TIMEOUT_MS).catch(() => {});
  }
}

export function toCapabilities(outcomes: ProbeOutcome[], facts: HostFacts): Capability[] {
  return outcomes.map((o) => {
    const note = noteFor(o, outcomes, facts);
    return { section: o.section, type: o.type, loads: o.loads, attaches: o.loads ? o.attaches : null, ...(note ? { note } : {}) };
  });
}

const cacheSchema = z.object({
  kernel: z.string(),
  toolchain: z.string(),
  probedAt: z.string(),
  capabilities: z.array(capabilitySchema),
});

export function capabilitiesCachePath(config: Config, toolchain: Toolchain, kernelRelease = os.release()): string {
  const release = kernelRelease.replace(/[^A-Za-z0-9._+-]/g, '_');
  const digest = createHash('sha256').update(toolchain.version).digest('hex').slice(0, 12);
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

/** A user's SEC() string, by the kind it belongs to (libbpf's section prefixes). */
const SECTION_KINDS: [RegExp, Kind][] = [
  [/^(kprobe|kretprobe|ksyscall|kretsyscall|kprobe\.multi|kretprobe\.multi)(\/|$)/, 'kprobe'],
  [/^(uprobe|uretprobe)(\.s|\.multi|\.multi\.s)?(\/|$)|^usdt(\/|$)/, 'uprobe'],
  [/^(tracepoint|tp)(\/|$)/, 'tracepoint'],
  [/^(raw_tracepoint|raw_tp)(\.w)?(\/|$)/, 'raw_tp'],
  [/^tp_btf(\/|$)/, 'tp_btf'],
  [/^(fentry|fexit|fmod_ret)(\.s)?(\/|$)|^freplace(\/|$)/, 'fentry'],
  [/^(lsm|lsm\.s|lsm_cgroup)(\/|$)/, 'lsm'],
  [/^iter(\.s)?(\/|$)/, 'iter'],
  [/^xdp(\.frags)?(\/|$)/, 'xdp'],
  [/^socket(\/|$)/, 'socket'],
  [/^perf_event$/, 'perf_event'],
];

export function sectionKind(section: string): Kind | null {
  return SECTION_KINDS.find(([pattern]) => pattern.test(section))?.[1] ?? null;
}

/**
 * The note to show for a user's SEC() when its kind does not load or attach
 * on this host (or is one the playground never attaches), so the user reads
 * "kprobes are not available on this kernel…" rather than a bare ENOENT.
 * Null when the kind works here or was not probed.
 */
export function explainMissingCapability(section: string, capabilities: Capability[]): string | null {
  const kind = sectionKind(section);
  if (!kind) return null;
  const capability = capabilities.find((c) => c.section === kind);
  if (!capability || (capability.loads && capability.attaches === true)) return null;
  return capability.note ?? null;
}
