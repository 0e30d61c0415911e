/**
 * Facts about a kernel that turn an errno into a reason, read where the
 * kernel is: by the backend for the host, by the guest agent in a VM.
 */
import { existsSync } from 'node:fs';
import { readFileSafe } from '../proc-util.ts';

/** Where the capability probe tries kprobes and fentry, and lsm: targets every kernel of the last years has. */
export const KPROBE_TARGET = 'do_sys_openat2';
export const LSM_HOOK = 'file_open';

export interface HostFacts {
  /** The kprobe perf PMU or tracefs kprobe_events exists. */
  kprobes: boolean;
  uprobes: boolean;
  /** tracefs (or debugfs's tracing dir) has the tracepoint list libbpf reads. */
  tracefs: boolean;
  /** The active LSMs, when securityfs is mounted; null when unknown. */
  lsms: string[] | null;
  /** A symbol named KPROBE_TARGET is in /proc/kallsyms. */
  kprobeTargetExists: boolean;
}

export function hostFacts(): HostFacts {
  const tracingDirs = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
  const lsm = readFileSafe('/sys/kernel/security/lsm').trim();
  return {
    kprobes: existsSync('/sys/bus/event_source/devices/kprobe') || tracingDirs.some((d) => existsSync(`${d}/kprobe_events`)),
    uprobes: existsSync('/sys/bus/event_source/devices/uprobe') || tracingDirs.some((d) => existsSync(`${d}/uprobe_events`)),
    tracefs: tracingDirs.some((d) => existsSync(`${d}/events`)),
    lsms: lsm ? lsm.split(',') : null,
    kprobeTargetExists: new RegExp(`^\\S+ [tT] ${KPROBE_TARGET}$`, 'm').test(readFileSafe('/proc/kallsyms')),
  };
}
