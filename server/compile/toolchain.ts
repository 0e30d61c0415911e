import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exec } from '../jail/exec.ts';
import { ROOT } from '../config.ts';

/** Everything a compile needs to know about the host's toolchain, found once at start. */
export interface Toolchain {
  clang: string;
  bpftool: string;
  /** llvm-objcopy, for pulling the .BTF section out of an object. */
  objcopy: string;
  /** `__TARGET_ARCH_<arch>` for bpf_tracing.h: x86, arm64, … */
  targetArch: string;
  /** Host system include dirs, passed as -idirafter (so <linux/bpf.h> finds <asm/types.h>). */
  systemIncludes: string[];
  /** The playground's own headers (bpf/include). */
  includeDir: string;
  /** Directory holding vmlinux.h generated from this kernel's BTF. */
  vmlinuxDir: string;
  /** clang and bpftool versions, part of every compile cache key. */
  version: string;
  /** vmlinux.h precompiled (a file name in vmlinuxDir), used by programs that include it; set at start. */
  vmlinuxPch?: string | null;
}

const TARGET_ARCH: Record<string, string> = { x64: 'x86', arm64: 'arm64', arm: 'arm', s390x: 's390', ppc64: 'powerpc', riscv64: 'riscv', loong64: 'loongarch' };

export async function findToolchain(cacheDir: string): Promise<Toolchain> {
  // clang-19 assembles may_goto and compiles arena pointers, which clang-14 (Debian 12's default) cannot.
  const clang = ['/usr/bin/clang-19', '/usr/bin/clang'].find((p) => existsSync(p)) ?? '/usr/bin/clang-19';
  const bpftool = existsSync('/usr/sbin/bpftool') ? '/usr/sbin/bpftool' : '/usr/bin/bpftool';
  const targetArch = TARGET_ARCH[process.arch];
  if (!targetArch) throw new Error(`This playground does not know the BPF target arch for ${process.arch}.`);
  for (const tool of [clang, bpftool]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: install the Debian packages clang-19 and bpftool (npm start does this).`);
  }
  const [systemIncludes, clangVersion, bpftoolVersion] = await Promise.all([
    clangSystemIncludes(clang),
    firstLine(clang, ['--version']),
    firstLine(bpftool, ['version']),
  ]);
  return {
    clang,
    bpftool,
    objcopy: ['/usr/bin/llvm-objcopy-19', '/usr/bin/llvm-objcopy'].find((p) => existsSync(p)) ?? 'llvm-objcopy',
    targetArch,
    systemIncludes,
    includeDir: path.join(ROOT, 'bpf', 'include'),
    vmlinuxDir: await ensureVmlinuxHeader(bpftool, cacheDir, readHostBtf(), bpftoolVersion),
    version: `${clangVersion}; ${bpftoolVersion}`,
  };
}

/** Asks clang for its own search list, as libbpf-bootstrap's Makefile does. */
async function clangSystemIncludes(clang: string): Promise<string[]> {
  const result = await exec(clang, ['-v', '-E', '-'], { timeoutMs: 10_000, maxOutputBytes: 64 * 1024, input: '' });
  const lines = result.stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('#include <...> search starts here:'));
  const end = lines.findIndex((l) => l.startsWith('End of search list.'));
  if (start < 0 || end < start) throw new Error('Could not read clang’s include search list (clang -v -E -).');
  return lines
    .slice(start + 1, end)
    .map((l) => l.trim())
    .filter(Boolean);
}

async function firstLine(tool: string, args: string[]): Promise<string> {
  const result = await exec(tool, args, { timeoutMs: 10_000, maxOutputBytes: 16 * 1024 });
  return result.stdout.toString('utf8').split('\n')[0]?.trim() ?? tool;
}

/** A copy of the kernel's BTF beside vmlinux.h, so jailed bpftool can read it (min_core_btf). */
export const VMLINUX_BTF = 'vmlinux.btf';

function readHostBtf(): Buffer {
  const btfPath = '/sys/kernel/btf/vmlinux';
  if (!existsSync(btfPath)) throw new Error('This kernel has no BTF (/sys/kernel/btf/vmlinux): rebuild it with CONFIG_DEBUG_INFO_BTF=y.');
  return readFileSync(btfPath);
}

/**
 * Generates vmlinux.h from a kernel's BTF (the host's, or a VM kernel's read
 * in its guest), once per distinct BTF and bpftool: the directory is named by their hash.
 */
export async function ensureVmlinuxHeader(bpftool: string, cacheDir: string, btf: Buffer, bpftoolVersion: string): Promise<string> {
  // By bpftool's version too: newer ones write more into the header (kfunc declarations since 7.3).
  const digest = createHash('sha256').update(btf).update(bpftoolVersion).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir, 'vmlinux', digest);
  const header = path.join(dir, 'vmlinux.h');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const btfCopy = path.join(dir, VMLINUX_BTF);
  if (!existsSync(btfCopy)) {
    writeFileSync(`${btfCopy}.tmp`, btf, { mode: 0o644 });
    renameSync(`${btfCopy}.tmp`, btfCopy);
  }
  if (existsSync(header)) return dir;
  const result = await exec(bpftool, ['btf', 'dump', 'file', btfCopy, 'format', 'c'], {
    timeoutMs: 60_000,
    maxOutputBytes: 64 * 1024 * 1024,
  });
  if (result.code !== 0 || result.truncated) throw new Error(`bpftool could not write vmlinux.h: ${result.stderr.trim()}`);
  // Written under another name first, so a crash never leaves half a header behind.
  writeFileSync(`${header}.tmp`, result.stdout, { mode: 0o644 });
  renameSync(`${header}.tmp`, header);
  return dir;
}
