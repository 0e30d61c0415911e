import { createHash } from 'node:crypto';
import type { SourceFile } from '../../protocol/messages.ts';
import type { CachedCompile, CompileContext, CompileResult } from './compile-types.ts';
import type { Toolchain } from './toolchain.ts';

export type { CachedCompile } from './compile-types.ts';

/**
 * Compiled objects by a hash of everything that goes into them: the files,
 * the session's trace tag, the toolchain's version and the precompiled
 * header. Pressing Run again on the same code skips the compiler. Least
 * recently used entries go first once the byte budget is spent.
 */
export class CompileCache {
  private readonly entries = new Map<string, CachedCompile>();
  /** Compiles running now, by key: a Run of the same source waits for it rather than compiling twice. */
  private readonly running = new Map<string, Promise<CompileResult>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  static key(toolchain: Toolchain, files: SourceFile[], context: CompileContext, sandbox: string): string {
    const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
    return createHash('sha256')
      .update(JSON.stringify([toolchain.version, toolchain.vmlinuxDir, toolchain.vmlinuxPch ?? null, sandbox, context.traceTag, sorted]))
      .digest('hex');
  }

  get(key: string): CachedCompile | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, result: CompileResult): CachedCompile {
    const entry: CachedCompile = { result };
    this.entries.set(key, entry);
    this.bytes += sizeOf(entry);
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.maxBytes || oldKey === key) break;
      this.entries.delete(oldKey);
      this.bytes -= sizeOf(old);
    }
    return entry;
  }

  /** The compile of this key that is running now, if any. */
  inFlight(key: string): Promise<CompileResult> | undefined {
    return this.running.get(key);
  }

  /** Runs a compile of `key`, known to later callers of inFlight() until it ends, and keeps its result. */
  async compileInto(key: string, compile: () => Promise<CompileResult>): Promise<CachedCompile> {
    const promise = compile();
    this.running.set(key, promise);
    try {
      return this.set(key, await promise);
    } finally {
      this.running.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function sizeOf(entry: CachedCompile): number {
  // The skeleton text is about four times the object: count it up front.
  return (entry.result.object?.length ?? 0) * 5 + entry.result.log.length + 1024;
}
