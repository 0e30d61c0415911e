/**
 * Messages between the backend and the agent in a session's VM, framed by
 * sandbox/channel.ts over a virtio-serial port. The loader's calls are the
 * host runner's (runner-protocol.ts); the rest exist because the whole guest
 * kernel belongs to the session: its trace_pipe, its processes, its BTF.
 */
import type { RunnerCalls, RunnerEvents, RunnerReply } from '../../runner/runner-protocol.ts';
import type { WorkloadPlan, WorkloadRun } from '../../lessons/workload.ts';
import type { HostFacts } from '../../host/kernel-facts.ts';

/** The virtio-serial port's name, as the guest sees it in /sys/class/virtio-ports/. */
export const AGENT_PORT = 'pg.agent';

export interface GuestCalls extends RunnerCalls {
  /** A lesson check's workload, run in the guest as nobody. */
  workload: { args: WorkloadPlan; result: WorkloadRun };
  /** Makes the event an example waits for (an exec, an open) in the guest. */
  trigger: { args: { what: 'exec' | 'open' }; result: null };
  /** The guest kernel's BTF, read once per kernel to make its vmlinux.h. */
  kernelBtf: { args: Record<string, never>; result: Uint8Array };
  /** What the capability probe needs to explain a refusal (kprobe_events, the LSMs, …). */
  kernelFacts: { args: Record<string, never>; result: HostFacts };
  /** /proc/kallsyms, to name a stack trace's frames. */
  kallsyms: { args: Record<string, never>; result: string };
}

export type GuestOp = keyof GuestCalls;

/** The guest's first message, once its agent is up. */
export interface GuestHello {
  id: 0;
  ok: true;
  result: { release: string; version: string };
}

/** Lines read from the guest's own trace_pipe, sent without being asked. */
export interface GuestTrace {
  kind: 'trace';
  text: string;
  /** Lines the agent dropped since the last notice: more than the channel takes. */
  dropped: number;
  /** The guest trace buffer's overruns so far, summed over CPUs: lines the kernel overwrote before anyone read them. */
  overruns: number;
}

export type GuestMessage = RunnerReply | RunnerEvents | GuestTrace;
