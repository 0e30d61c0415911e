// Shared by the addon's tests: compiles BPF C for real, as the playground's examples are.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `source` to `dir` and compiles it with clang -target bpf; returns the object's path. */
export function compileBpfFile(dir: string, name: string, source: string): string {
  const src = join(dir, `${name}.bpf.c`);
  const obj = join(dir, `${name}.bpf.o`);
  writeFileSync(src, source);
  execFileSync('clang', [
    '-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86',
    '-idirafter', '/usr/include/x86_64-linux-gnu', '-idirafter', '/usr/include',
    '-c', src, '-o', obj,
  ]);
  return obj;
}
