/**
 * The kernels this server offers, made once at start from the config:
 * `sandbox: vm` offers only VM kernels, `host` only the host's, and `auto`
 * both, with a VM kernel as the default where KVM really runs guests and
 * the host's otherwise. A VM kernel that cannot be offered is left out with
 * one sentence saying why; the others still are.
 */
import os from 'node:os';
import type { Capability } from '../../protocol/messages.ts';
import type { Toolchain } from '../compile/toolchain.ts';
import type { Config } from '../config.ts';
import type { TraceInstance } from '../trace/trace-instance.ts';
import { HostKernel } from './host/host-kernel.ts';
import type { Kernel } from './sandbox.ts';
import { kvmUsable } from './vm/accel.ts';
import { sweepStaleCgroups } from './vm/cgroup.ts';
import { VmBudget } from './vm/vm-pool.ts';
import { VmKernel } from './vm/vm-kernel.ts';

export class Kernels {
  constructor(
    readonly list: Kernel[],
    /** Why a kernel the config asks for is not offered. */
    readonly problems: string[],
  ) {}

  get default(): Kernel | null {
    return this.list.find((k) => k.info.default) ?? this.list[0] ?? null;
  }

  /** The kernel a Run asked for by name (or the default); null when there is none by that name. */
  byName(name: string | undefined): Kernel | null {
    return name === undefined ? this.default : (this.list.find((k) => k.info.name === name) ?? null);
  }

  /** For messages: "host, 6.12, 6.1". */
  names(): string {
    return this.list.map((k) => k.info.name).join(', ');
  }

  close(): void {
    for (const kernel of this.list) kernel.close();
  }
}

export async function startKernels(
  config: Config,
  host: { toolchain: Toolchain; trace: TraceInstance; capabilities: Capability[] },
  log: (line: string) => void = () => {},
): Promise<Kernels> {
  const vmFirst = config.sandbox === 'vm' || (config.sandbox === 'auto' && kvmUsable());
  const offerHost = config.sandbox === 'host' || (config.sandbox === 'auto' && config.vm.offerHost);
  const vmNames = config.sandbox === 'host' ? [] : config.vm.kernels;
  const list: Kernel[] = [];
  const problems: string[] = [];
  // By default a quarter of the host's memory for all sessions' maps together.
  const memoryBudget = config.limits.hostKernelMemoryBytes ?? Math.floor(os.totalmem() / 4);
  if (offerHost) list.push(new HostKernel(host.toolchain, config.policy, host.capabilities, host.trace, !vmFirst || !vmNames.length, memoryBudget));
  sweepStaleCgroups();
  const budget = new VmBudget(config.vm.maxVms, config.vm.bootConcurrency);
  for (const [i, name] of vmNames.entries()) {
    try {
      const started = performance.now();
      const kernel = await VmKernel.start(name, config, host.toolchain, budget, (vmFirst || !offerHost) && i === 0);
      log(`VM kernel ${name} (${kernel.info.release}) ready in ${Math.round(performance.now() - started)} ms`);
      list.push(kernel);
    } catch (error) {
      problems.push(`VM kernel ${name} is not offered: ${(error as Error).message}`);
    }
  }
  // The default first, then the rest in the config's order.
  list.sort((a, b) => Number(b.info.default) - Number(a.info.default));
  return new Kernels(list, problems);
}
