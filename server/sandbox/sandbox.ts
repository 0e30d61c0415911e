/**
 * The kernel side of a session, behind one interface with two kinds:
 *
 *   host  the runner process on the host's own kernel (sandbox/host/), for a
 *         room you trust on a machine of your own;
 *   vm    a microVM with its own Debian kernel for every session
 *         (sandbox/vm/), for people you do not trust.
 *
 * Compile, policy, sessions, the protocol, rooms and lessons see only this:
 * a Kernel the server offers (its headers, policy and capabilities), and the
 * KernelSide a session holds on it (a loader, its trace lines, its
 * processes). A Run is compile (compile/) → policy (policy/) → this.
 */
import type { Capability, KernelInfo, TraceLine } from '../../protocol/messages.ts';
import type { Toolchain } from '../compile/toolchain.ts';
import type { Config } from '../config.ts';
import type { WorkloadPlan, WorkloadRun } from '../lessons/workload.ts';
import type { KernelSymbols } from '../maps/kallsyms.ts';
import type { RunnerCalls, RunnerEvents, RunnerOp } from '../runner/runner-protocol.ts';

/** Whatever holds a session's loaded object: a runner process on the host, or the agent in its VM. */
export interface Loader {
  readonly ready: Promise<unknown>;
  readonly alive: boolean;
  call<K extends RunnerOp>(op: K, args: RunnerCalls[K]['args']): Promise<RunnerCalls[K]['result']>;
  /** Ends it at once; the kernel frees whatever it held. */
  kill(): void;
  /** Called once, when it stops for any reason, with the reason in a few words. */
  onExit: ((reason: string) => void) | null;
  /** Records from consumed ring buffers and perf event arrays. */
  onEvents: ((events: RunnerEvents) => void) | null;
}

/** What a Run is told while it waits for its kernel side (a VM booting, or none free). */
export type LoaderWait = { state: 'booting'; sinceMs: number } | { state: 'queued'; position: number };

export type TraceListener = (lines: TraceLine[], kernelLost: number) => void;

/** One session's hold on a kernel. */
export interface KernelSide {
  readonly kernel: Kernel;
  /** The loader for the next Run: the session's own, or a fresh one (a VM from the pool). */
  loader(onWait: (wait: LoaderWait) => void): Promise<Loader>;
  /** The session's bpf_printk lines, until the returned function is called; `kernelLost` counts lines the kernel overwrote since. */
  subscribeTrace(traceSecret: string, listener: TraceListener): () => void;
  /** A lesson check's workload, run where the program's kernel is. */
  runWorkload(plan: WorkloadPlan): Promise<WorkloadRun>;
  /** An exec or an open, where the program's kernel sees it. */
  trigger(what: 'exec' | 'open'): void;
  /** Takes a Run's estimated map memory from what all sessions on this kernel share (a VM's is its own). */
  reserveMemory(bytes: number): { release: () => void } | { problem: string };
  /** Kernel symbols for stack traces, of this kernel. */
  symbols(): Promise<KernelSymbols | null>;
  /** The Run stopped: a host runner goes (it costs ~45 MB); a session's VM stays for its next Run. */
  idle(): void;
  /** The session ended: everything goes. */
  close(): void;
}

/** A kernel the server offers: `host`, or one of the VM kernels. */
export interface Kernel {
  readonly info: KernelInfo;
  /** Compiles for this kernel use its own vmlinux.h, precompiled header and BTF. */
  readonly toolchain: Toolchain;
  readonly policy: Config['policy'];
  /** A shared kernel's trace buffer holds everyone's lines: each session's carry its secret tag. */
  readonly tagsTrace: boolean;
  readonly capabilities: Capability[];
  /** How much memory a session's maps share on this kernel, said when the kernel runs out: a VM's size, or null on the host. */
  readonly memoryNote: string | null;
  /** The program uprobes watch (bpf/target/), where this kernel's loader runs: a Run starts a copy of it when its probes need one. */
  readonly targetProgram: string;
  open(): KernelSide;
  close(): void;
}
