// Shared by the addon's tests: compiles BPF C for real, as the playground's examples are,
// and opens it in a Collection the test closes however it ends.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Collection, type OpenOptions } from './index.ts';

/** Writes `source` to `dir` and compiles it with clang -target bpf; returns the object's path. */
export function compileBpfFile(dir: string, name: string, source: string): string {
  const src = join(dir, `${name}.bpf.c`);
  const obj = join(dir, `${name}.bpf.o`);
  writeFileSync(src, source);
  execFileSync('clang', [
    '-g',
    '-O2',
    '-target',
    'bpf',
    '-D__TARGET_ARCH_x86',
    '-idirafter',
    '/usr/include/x86_64-linux-gnu',
    '-idirafter',
    '/usr/include',
    '-c',
    src,
    '-o',
    obj,
  ]);
  return obj;
}

/** The compiled object's bytes. */
export function compileBpf(dir: string, name: string, source: string): Buffer {
  return readFileSync(compileBpfFile(dir, name, source));
}

/** Opens an object; the collection is closed when the test ends, passed or failed. */
export function openCollection(t: TestContext, object: Buffer, opts?: OpenOptions): Collection {
  const collection = Collection.open(object, opts);
  t.after(() => collection.close());
  return collection;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** Polls `condition` every `stepMs` (giving the event loop turns) until it holds; false after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return true;
}
