/**
 * The host's own kernel as a sandbox kind: each session's object lives in a
 * runner process of its own (runner/), and bpf_printk lines come from the
 * backend's one tracefs instance, routed by each session's secret tag. For a
 * room you trust: on a shared kernel a tracing program reads everything.
 */
import os from 'node:os';
import path from 'node:path';
import type { Capability, KernelInfo } from '../../../protocol/messages.ts';
import type { Toolchain } from '../../compile/toolchain.ts';
import { ROOT, type Config } from '../../config.ts';
import { runWorkloadPlan, makeTriggerEvent } from '../../lessons/workload.ts';
import { kernelSymbols } from '../../maps/kallsyms.ts';
import { RunnerPool, type Runner } from '../../runner/runner.ts';
import type { TraceInstance } from '../../trace/trace-instance.ts';
import type { Kernel, KernelSide } from '../sandbox.ts';
import { KernelMemoryBudget } from './kernel-memory.ts';

export class HostKernel implements Kernel {
  readonly info: KernelInfo;
  readonly tagsTrace = true;
  readonly memoryNote = null;
  readonly targetProgram = path.join(ROOT, 'native', 'build', 'playground-target');
  private readonly runners = new RunnerPool();
  private readonly memory: KernelMemoryBudget;

  constructor(
    readonly toolchain: Toolchain,
    readonly policy: Config['policy'],
    readonly capabilities: Capability[],
    private readonly trace: TraceInstance,
    isDefault: boolean,
    memoryBudgetBytes: number,
  ) {
    this.memory = new KernelMemoryBudget(memoryBudgetBytes);
    const release = os.release();
    this.info = {
      name: 'host',
      label: `host ${release.split('-')[0]!.split('.').slice(0, 2).join('.')}`,
      kind: 'host',
      release,
      capabilities,
      default: isDefault,
    };
  }

  open(): KernelSide {
    const { runners, trace, memory } = this;
    let runner: Runner | null = null;
    const release = () => {
      runner?.kill();
      runner = null;
    };
    return {
      kernel: this,
      async loader() {
        if (!runner?.alive) runner = runners.take();
        return runner;
      },
      subscribeTrace(secret, listener) {
        const overrunsAtStart = trace.recentOverruns();
        return trace.subscribe(secret, (lines) => listener(lines, Math.max(0, trace.recentOverruns() - overrunsAtStart)));
      },
      reserveMemory: (bytes) => memory.reserve(bytes),
      runWorkload: (plan) => runWorkloadPlan(plan),
      trigger: (what) => makeTriggerEvent(what),
      symbols: () => kernelSymbols(),
      // A loader process costs ~45 MB: a session keeps one only while its program is loaded.
      idle: release,
      close: release,
    };
  }

  close(): void {
    this.runners.close();
  }
}
