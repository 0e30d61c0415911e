/**
 * A VM kernel as a sandbox kind: Debian's kernel `name` (6.12, 6.1), with a
 * fresh microVM for every session. Made once per kernel and cached: its BTF
 * (read in a guest), its vmlinux.h and precompiled header, and its
 * capability probe (run in a guest). The whole guest kernel belongs to one
 * session, so its trace lines need no tag, and what harms only the guest is
 * allowed by its policy.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Capability, KernelInfo } from '../../../protocol/messages.ts';
import { ensureVmlinuxPch } from '../../compile/compiler.ts';
import { ensureVmlinuxHeader, type Toolchain } from '../../compile/toolchain.ts';
import type { Config } from '../../config.ts';
import { probeCapabilities, type ProbeTarget } from '../../host/capabilities.ts';
import { KernelSymbols } from '../../maps/kallsyms.ts';
import { TraceTextParser } from '../../trace/trace-line.ts';
import type { Kernel, KernelSide, TraceListener } from '../sandbox.ts';
import { GuestVm, type VmImage, type VmOptions } from './guest-vm.ts';
import { type VmBudget, VmPool } from './vm-pool.ts';
import { resolveAccel } from './accel.ts';

/** Where scripts/build-guest.sh leaves the kernels and the root image. */
export function vmImageDir(config: Config): string {
  return path.join(config.cacheDir, 'vm');
}

export function vmOptions(config: Config): VmOptions {
  const { vm } = config;
  return {
    accel: resolveAccel(vm.accel),
    vcpus: vm.vcpus,
    memoryMiB: vm.memoryMiB,
    uid: vm.uid,
    gid: vm.gid,
    bootTimeoutMs: vm.bootTimeoutMs,
    callTimeoutMs: vm.callTimeoutMs,
    tcgCacheMiB: vm.tcgCacheMiB,
    cgroup: { cpuShare: vm.cpuShare, memoryBytes: vm.cgroupMemoryMiB * 1024 * 1024 },
  };
}

/** A VM kernel's policy: the host's caps, with the guest-only allowances of `vmPolicy`. */
function vmPolicy(config: Config): Config['policy'] {
  return { ...config.policy, ...config.vmPolicy };
}

/** The guest's libc, for the uprobe probe: the root image has merged /usr like Debian 12. */
const GUEST_UPROBE_TARGET = '/lib/x86_64-linux-gnu/libc.so.6:getpid';

export class VmKernel implements Kernel {
  readonly tagsTrace = false;
  readonly memoryNote: string;
  /** Put in the root image by scripts/build-guest.sh. */
  readonly targetProgram = '/opt/playground/playground-target';
  readonly policy: Config['policy'];

  private constructor(
    readonly info: KernelInfo,
    readonly toolchain: Toolchain,
    readonly capabilities: Capability[],
    private readonly pool: VmPool,
    private readonly maxLineBytes: number,
    config: Config,
  ) {
    this.policy = vmPolicy(config);
    this.memoryNote = `the session's VM has ${config.vm.memoryMiB} MiB of memory in all (vm.memoryMiB)`;
  }

  /**
   * Makes what the kernel needs (once, then cached) and starts its pool.
   * Throws one sentence when it cannot be offered.
   */
  static async start(name: string, config: Config, hostToolchain: Toolchain, budget: VmBudget, isDefault: boolean): Promise<VmKernel> {
    const dir = path.join(vmImageDir(config), 'kernels', name);
    const image: VmImage = { vmlinuz: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.img'), rootfs: path.join(vmImageDir(config), 'rootfs.img') };
    for (const file of Object.values(image)) {
      if (!existsSync(file))
        throw new Error(`VM kernel ${name} is not built (${path.basename(file)} is missing): npm start builds it (scripts/build-guest.sh).`);
    }
    const release = readFileSync(path.join(dir, 'release'), 'utf8').trim();
    const options = vmOptions(config);
    let first: GuestVm | null = null;
    const guest = () => (first ??= new GuestVm(image, options));
    try {
      const btfFile = path.join(dir, 'vmlinux.btf');
      if (!existsSync(btfFile)) {
        const btf = await guest().call('kernelBtf', {});
        writeFileSync(`${btfFile}.tmp`, btf);
        renameSync(`${btfFile}.tmp`, btfFile);
      }
      const toolchain: Toolchain = {
        ...hostToolchain,
        vmlinuxDir: await ensureVmlinuxHeader(hostToolchain.bpftool, config.cacheDir, readFileSync(btfFile), hostToolchain.version),
        vmlinuxPch: null,
      };
      toolchain.vmlinuxPch = await ensureVmlinuxPch(config, toolchain);
      // The guest booted for the BTF (if one was) serves the probes too: under TCG a boot takes seconds.
      let handedOut = false;
      const target: ProbeTarget = {
        release,
        newLoader: () => {
          if (handedOut) return new GuestVm(image, options);
          handedOut = true;
          return guest();
        },
        uprobeTarget: GUEST_UPROBE_TARGET,
        facts: () => guest().call('kernelFacts', {}),
      };
      const capabilities = await probeCapabilities(config, toolchain, target);
      const info: KernelInfo = { name, label: `${name} (VM)`, kind: 'vm', release, capabilities, default: isDefault };
      const pool = new VmPool(image, options, config.vm.poolSize, budget);
      pool.fill();
      return new VmKernel(info, toolchain, capabilities, pool, config.limits.traceLineBytes, config);
    } finally {
      (first as GuestVm | null)?.kill();
    }
  }

  open(): KernelSide {
    const { pool, maxLineBytes } = this;
    let vm: GuestVm | null = null;
    let listener: TraceListener | null = null;
    let overrunsAtStart: number | null = null;
    let symbols: Promise<KernelSymbols | null> | null = null;
    const parser = new TraceTextParser(maxLineBytes);
    const side: KernelSide = {
      kernel: this,
      async loader(onWait) {
        if (vm?.alive) return vm;
        symbols = null;
        const taken = await pool.take(onWait);
        vm = taken;
        taken.onTrace = (trace) => {
          const lines = parser.push(trace.text);
          overrunsAtStart ??= trace.overruns;
          // Lines the guest's buffer overwrote, and lines its agent could not send: both lost before the backend saw them.
          if (listener && (lines.length || trace.dropped)) listener(lines, trace.overruns - overrunsAtStart + trace.dropped);
        };
        return taken;
      },
      subscribeTrace(_secret, onLines) {
        listener = onLines;
        overrunsAtStart = null;
        return () => {
          if (listener === onLines) listener = null;
        };
      },
      // The guest's memory is capped by its VM: its maps cannot take the host's.
      reserveMemory: () => ({ release() {} }),
      async runWorkload(plan) {
        if (!vm?.alive) throw new Error("the session's VM is not running");
        return vm.call('workload', plan);
      },
      trigger(what) {
        if (vm?.alive) vm.call('trigger', { what }).catch(() => {});
      },
      symbols() {
        const current = vm;
        if (!current?.alive) return Promise.resolve(null);
        symbols ??= current.call('kallsyms', {}).then(
          (text) => KernelSymbols.parse(text),
          () => null,
        );
        return symbols;
      },
      // The VM stays for the session's next Run: its programs are gone (closed), the guest is still its own.
      idle() {},
      close() {
        vm?.kill('its session ended');
        vm = null;
      },
    };
    return side;
  }

  /** VMs of this kernel booted and waiting for a session (benchmarks wait for them). */
  get spares(): number {
    return this.pool.spares;
  }

  close(): void {
    this.pool.close();
  }
}
