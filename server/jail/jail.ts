import { exec, type ExecResult } from './exec.ts';
import type { Config } from '../config.ts';
import type { Toolchain } from '../compile/toolchain.ts';

/** Where the jail shows the session's files and the playground's headers. */
export interface JailPaths {
  work: string;
  include: string;
  vmlinux: string;
}

export const JAILED_PATHS: JailPaths = { work: '/work', include: '/playground/include', vmlinux: '/playground/vmlinux' };

const NOBODY = 65534;

/** The largest file a jailed tool may write: room for objects and their skeletons, not for disk filling. */
export function fileSizeLimit(config: Config): number {
  return Math.max(config.limits.objectBytes * 8, 16 * 1024 * 1024);
}

export interface JailLimits {
  timeoutMs: number;
  maxOutputBytes: number;
}

/**
 * Runs a toolchain program on `workdir` and nothing else of the host's files:
 * as nobody, with no network, a read-only /usr, the playground's headers and
 * an empty environment (bubblewrap). Resource limits come from prlimit, so a
 * macro bomb or a huge array cannot take the machine.
 */
export function runJailed(config: Config, toolchain: Toolchain, workdir: string, argv: string[], limits: JailLimits): Promise<ExecResult> {
  const rlimits = [
    `--as=${config.limits.compileMemoryBytes}`,
    // RLIMIT_NPROC counts every process of nobody on the host, jails that are
    // just ending included; 256 stops a runaway fork, not a busy workshop.
    `--nproc=${config.limits.compileProcesses}`,
    `--fsize=${fileSizeLimit(config)}`,
    '--core=0',
  ];
  if (config.compileJail === 'none') {
    return exec('prlimit', [...rlimits, '--', ...argv], { ...limits, cwd: workdir, env: { PATH: '/usr/bin:/bin' } });
  }
  const jail = [
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/bin',
    '/bin',
    '--ro-bind',
    toolchain.includeDir,
    JAILED_PATHS.include,
    '--ro-bind',
    toolchain.vmlinuxDir,
    JAILED_PATHS.vmlinux,
    '--bind',
    workdir,
    JAILED_PATHS.work,
    '--chdir',
    JAILED_PATHS.work,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--unshare-all',
    '--new-session',
    '--die-with-parent',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/bin',
  ];
  return exec('prlimit', [...rlimits, '--', 'bwrap', ...jail, ...argv], { ...limits, uid: NOBODY, gid: NOBODY });
}

/** The paths a compile uses: inside the jail, or the host's own when the jail is off. */
export function pathsFor(config: Config, toolchain: Toolchain, workdir: string): JailPaths {
  return config.compileJail === 'none' ? { work: workdir, include: toolchain.includeDir, vmlinux: toolchain.vmlinuxDir } : JAILED_PATHS;
}
