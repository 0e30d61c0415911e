/**
 * A cgroup per VM, with a CPU and a memory limit: a guest that spins or
 * fills its memory costs its own session, not the room. Works on cgroup v2
 * (Debian 12's default) and on v1 hierarchies (cpu and memory controllers
 * mounted apart, as on this project's build machines).
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive, readFileSafe } from '../../proc-util.ts';

const ROOT = '/sys/fs/cgroup';
const GROUP = 'ebpf-playground';
const V2 = existsSync(path.join(ROOT, 'cgroup.controllers'));

export interface CgroupLimits {
  /** A share of one CPU: 0.5 is half a core. */
  cpuShare: number;
  memoryBytes: number;
}

/** Where a VM's group lives: one directory on v2, one per controller on v1. */
export function vmCgroupDirs(name: string): string[] {
  return V2 ? [path.join(ROOT, GROUP, name)] : [path.join(ROOT, 'cpu', GROUP, name), path.join(ROOT, 'memory', GROUP, name)];
}

export class VmCgroup {
  /** The directories a process joins: one on v2, one per controller on v1. */
  readonly dirs: string[];

  constructor(
    readonly name: string,
    limits: CgroupLimits,
  ) {
    const periodUs = 100_000;
    const quotaUs = Math.max(1000, Math.round(limits.cpuShare * periodUs));
    if (V2) {
      const parent = path.join(ROOT, GROUP);
      mkdirSync(parent, { recursive: true });
      // Children get the controllers only once the parent hands them down.
      writeIfPossible(path.join(parent, 'cgroup.subtree_control'), '+cpu +memory');
      const [dir] = vmCgroupDirs(name) as [string];
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
      writeFileSync(path.join(dir, 'memory.max'), String(limits.memoryBytes));
      writeIfPossible(path.join(dir, 'memory.swap.max'), '0');
      this.dirs = [dir];
    } else {
      const [cpu, memory] = vmCgroupDirs(name) as [string, string];
      mkdirSync(cpu, { recursive: true });
      mkdirSync(memory, { recursive: true });
      writeFileSync(path.join(cpu, 'cpu.cfs_period_us'), String(periodUs));
      writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), String(quotaUs));
      writeFileSync(path.join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      this.dirs = [cpu, memory];
    }
  }

  /** A shell line that moves the shell itself into the group before it execs the VMM: no moment outside it. */
  joinCommand(): string {
    return this.dirs.map((dir) => `echo $$ > '${path.join(dir, 'cgroup.procs')}'`).join(' && ');
  }

  /** Removes the group once its processes are gone. */
  remove(): void {
    for (const dir of this.dirs) removeDir(dir);
  }
}

/** The groups that cgroups of VMs live under, for the start-up sweep. */
function parents(): string[] {
  return V2 ? [path.join(ROOT, GROUP)] : [path.join(ROOT, 'cpu', GROUP), path.join(ROOT, 'memory', GROUP)];
}

/** Removes groups left by a backend that died (named vm-<its pid>-<n>): their QEMU died with it (parent-death signal). */
export function sweepStaleCgroups(): void {
  for (const parent of parents()) {
    if (!existsSync(parent)) continue;
    for (const name of readdirSync(parent)) {
      const dir = path.join(parent, name);
      const pid = Number(/^vm-(\d+)-/.exec(name)?.[1]);
      if (!pid || isAlive(pid)) continue;
      if (readFileSafe(path.join(dir, 'cgroup.procs')).trim() === '') removeDir(dir);
    }
  }
}

function removeDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Still busy (a process not reaped yet) or already gone: the next sweep takes it.
  }
}

function writeIfPossible(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch {
    // Not every kernel has every knob; the limits that matter were written above.
  }
}
