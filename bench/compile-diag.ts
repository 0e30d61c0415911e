import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Toolchain } from '../server/compile/toolchain.ts';

/**
 * Where the compile's time goes, measured beside benchmark 1 (diagnostics,
 * not peers): the same clang command line as the backend's but outside the
 * jail, the same with vmlinux.h and the libbpf headers from a precompiled
 * header, and a program that does not include vmlinux.h at all.
 */
export class CompileDiagnostics {
  private readonly flags: string[];
  private readonly pch: string;

  constructor(
    private readonly toolchain: Toolchain,
    private readonly workdir: string,
  ) {
    this.flags = [
      '-g',
      '-O2',
      '-target',
      'bpf',
      `-D__TARGET_ARCH_${toolchain.targetArch}`,
      '-I',
      workdir,
      '-I',
      toolchain.includeDir,
      '-I',
      toolchain.vmlinuxDir,
      ...toolchain.systemIncludes.flatMap((dir) => ['-idirafter', dir]),
    ];
    this.pch = path.join(workdir, 'core.h.pch');
  }

  /** Builds the precompiled header once; returns how long that took. */
  async buildPch(): Promise<number> {
    const header = path.join(this.workdir, 'core.h');
    writeFileSync(header, '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_core_read.h>\n');
    return this.clang([...this.flags, '-x', 'c-header', header, '-o', this.pch]);
  }

  /** clang on `source`, as the backend runs it but without the jail. */
  bare(source: string, name: string): Promise<number> {
    return this.compile(source, name, []);
  }

  withPch(source: string, name: string): Promise<number> {
    return this.compile(source, name, ['-include-pch', this.pch]);
  }

  private compile(source: string, name: string, extra: string[]): Promise<number> {
    const file = path.join(this.workdir, `${name}.bpf.c`);
    writeFileSync(file, source);
    return this.clang([...this.flags, ...extra, '-c', file, '-o', path.join(this.workdir, `${name}.bpf.o`)]);
  }

  private clang(args: string[]): Promise<number> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(this.toolchain.clang, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(performance.now() - started);
        else reject(new Error(`clang failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(0, 400)}`));
      });
    });
  }
}

/** A tracepoint program without vmlinux.h (the size of the integration tests' hello world). */
export function helloSource(tag: number): string {
  return `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int bench_hello(void *ctx)
{
	bpf_printk("hello %d", ${tag});
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
}
