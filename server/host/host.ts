import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { HostInfo } from '../../protocol/messages.ts';

interface Mount {
  fstype: string;
  target: string;
  /** A file that exists only once the filesystem is mounted. */
  probe: string;
}

const MOUNTS: Mount[] = [
  { fstype: 'tracefs', target: '/sys/kernel/tracing', probe: '/sys/kernel/tracing/trace_pipe' },
  { fstype: 'debugfs', target: '/sys/kernel/debug', probe: '/sys/kernel/debug/tracing' },
  { fstype: 'bpf', target: '/sys/fs/bpf', probe: '' },
];

function isMounted(target: string, fstype: string): boolean {
  const result = spawnSync('findmnt', ['-n', '-t', fstype, target], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() !== '';
}

/**
 * Checks that this host can load BPF and mounts what the playground needs.
 * Each problem is one sentence saying what is missing and how to fix it.
 */
export function prepareHost(): HostInfo {
  const problems: string[] = [];
  const root = process.getuid?.() === 0;
  if (!root) {
    problems.push(
      'The backend is not running as root, so it cannot load BPF programs: start it with sudo, or use the privileged service in docker-compose.yml.',
    );
  }
  for (const mount of MOUNTS) {
    const present = mount.probe ? existsSync(mount.probe) : isMounted(mount.target, mount.fstype);
    if (present || !root) continue;
    const result = spawnSync('mount', ['-t', mount.fstype, mount.fstype === 'bpf' ? 'bpf' : 'none', mount.target], { encoding: 'utf8' });
    if (result.status !== 0) {
      problems.push(
        `${mount.fstype} is not mounted on ${mount.target} and mounting it failed (${result.stderr.trim() || 'unknown error'}): run "mount -t ${mount.fstype} none ${mount.target}" as root, or give the container that mount.`,
      );
    }
  }
  const btf = existsSync('/sys/kernel/btf/vmlinux');
  if (!btf) {
    problems.push(
      'This kernel exposes no BTF at /sys/kernel/btf/vmlinux, so CO-RE programs and vmlinux.h cannot work: use a kernel built with CONFIG_DEBUG_INFO_BTF=y.',
    );
  }
  if (!existsSync('/sys/kernel/tracing/trace_pipe') && root) {
    problems.push('tracefs is not available at /sys/kernel/tracing, so bpf_printk output cannot be read: the kernel needs CONFIG_FTRACE.');
  }
  return { kernel: os.release(), arch: os.machine(), btf, problems, kernels: [] };
}
