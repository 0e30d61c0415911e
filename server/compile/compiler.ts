import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';
import { SOURCE_FILE_NAME, formatKilobytes, formatSizeOver, type SourceFile, sourceSizeProblem } from '../../protocol/messages.ts';
import type { Config } from '../config.ts';
import { parseClangDiagnostics } from './diagnostics.ts';
import { fileSizeLimit, pathsFor, runJailed, type JailPaths } from '../jail/jail.ts';
import { VMLINUX_BTF, type Toolchain } from './toolchain.ts';
import type { CompileQueue } from './compile-queue.ts';
import type { CachedCompile, CompileContext, CompileResult, SkeletonResult } from './compile-types.ts';

export type { CompileContext, CompileResult, SkeletonResult } from './compile-types.ts';

/** Checks the files a user sent; returns one sentence saying what is wrong, or null. */
export function checkSources(files: SourceFile[], maxBytes: number): string | null {
  const names = new Set<string>();
  for (const file of files) {
    if (!SOURCE_FILE_NAME.test(file.name) || !/\.(c|h)$/.test(file.name)) {
      return `"${file.name}" is not a usable file name: use letters, digits, _ . - and end it in .c or .h.`;
    }
    if (names.has(file.name)) return `Two files are named "${file.name}".`;
    names.add(file.name);
  }
  const tooBig = sourceSizeProblem(files, maxBytes);
  if (tooBig) return tooBig;
  const mains = files.filter((f) => f.name.endsWith('.c'));
  if (mains.length !== 1) {
    return mains.length === 0
      ? 'There is no .c file to compile: name your program something like prog.bpf.c.'
      : `Put the program in one .c file; the others must be headers (found ${mains.map((f) => f.name).join(', ')}).`;
  }
  return null;
}

/** The skeleton's name: the main file's name without .bpf.c, as a C identifier. */
export function objectName(mainFile: string): string {
  const stem = mainFile.replace(/\.c$/, '').replace(/\.bpf$/, '');
  const ident = stem.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(ident) ? `prog_${ident}` : ident || 'prog';
}

function newWorkdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ebpf-playground-'));
  // The jailed compiler runs as nobody and writes its object here.
  chmodSync(dir, 0o777);
  return dir;
}

/** Replaces every spelling of the work dir with nothing, so messages say `prog.bpf.c:12:5`. */
function scrubPaths(text: string, workdirs: string[]): string {
  let out = text;
  for (const dir of workdirs) out = out.split(`${dir}/`).join('');
  return out;
}

/** Compiles one BPF C program with the fixed command line, inside the jail. */
export async function compile(config: Config, toolchain: Toolchain, files: SourceFile[], context: CompileContext): Promise<CompileResult> {
  const main = files.find((f) => f.name.endsWith('.c'))!;
  const name = objectName(main.name);
  // Asynchronous file work: in a workshop's rush the disk is busy, and the backend must not wait on it.
  const workdir = await mkdtemp(path.join(tmpdir(), 'ebpf-playground-'));
  try {
    // The jailed compiler runs as nobody and writes its object here.
    await chmod(workdir, 0o777);
    await Promise.all(files.map((file) => writeFile(path.join(workdir, file.name), file.content, { mode: 0o644 })));
    const paths = pathsFor(config, toolchain, workdir);
    const objectFile = `${name}.bpf.o`;
    // Fixed: nothing the user sends becomes an option.
    const argv = (pch: string | null) => [
      toolchain.clang,
      ...clangFlags(toolchain, paths),
      `-DPLAYGROUND_TRACE_TAG="${context.traceTag}"`,
      ...(pch ? ['-include-pch', path.join(paths.vmlinux, pch)] : []),
      '-c',
      main.name,
      '-o',
      objectFile,
    ];
    const limits = { timeoutMs: config.limits.compileTimeoutMs, maxOutputBytes: config.limits.diagnosticsBytes };
    // vmlinux.h parsed once, ahead of time: less than half the compile for CO-RE programs.
    const pch = toolchain.vmlinuxPch && files.some((f) => INCLUDES_VMLINUX.test(f.content)) ? toolchain.vmlinuxPch : null;
    let result = await runJailed(config, toolchain, workdir, argv(pch), limits);
    if (pch && result.code !== 0 && /precompiled header|PCH file/i.test(result.stderr)) {
      result = await runJailed(config, toolchain, workdir, argv(null), limits);
    }
    const cut = result.truncated
      ? `\n… ${result.droppedBytes} more bytes of compiler output were cut (the limit is ${config.limits.diagnosticsBytes} bytes).\n`
      : '';
    const log = withoutCrashReport(scrubPaths(result.stderr, [workdir, paths.work])) + cut;
    const diagnostics = parseClangDiagnostics(log, main.name);
    const base = { diagnostics, log, name, durationMs: result.durationMs };
    if (result.timedOut) {
      return {
        ...base,
        ok: false,
        error: { code: 'compile_failed', message: `The compile took longer than ${config.limits.compileTimeoutMs / 1000} s and was stopped.` },
      };
    }
    if (result.code !== 0) {
      const first = diagnostics.find((d) => d.severity === 'error');
      // The jail's init (bwrap) passes a killed child on as exit status 128 + the signal.
      const signal = result.signal ?? (result.code !== null && result.code > 128 ? signalName(result.code - 128) : null);
      const message = signal
        ? stoppedBy(signal, config)
        : first
          ? `${first.file}:${first.line}:${first.column}: ${first.message}`
          : /out of memory|bad_alloc|Cannot allocate memory/i.test(log)
            ? `The compiler ran out of memory (the limit is ${config.limits.compileMemoryBytes >> 20} MiB).`
            : 'The compiler failed; see its log.';
      return { ...base, ok: false, error: { code: 'compile_failed', message } };
    }
    const objectPath = path.join(workdir, objectFile);
    const size = (await stat(objectPath)).size;
    if (size > config.limits.objectBytes) {
      return {
        ...base,
        ok: false,
        error: {
          code: 'policy_denied',
          message: `The object is ${formatSizeOver(size, config.limits.objectBytes)}; the limit is ${formatKilobytes(config.limits.objectBytes)}.`,
        },
      };
    }
    return { ...base, ok: true, object: await readFile(objectPath) };
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

const INCLUDES_VMLINUX = /^\s*#\s*include\s*[<"]vmlinux\.h[">]/m;

/** The flags every compile shares, and the precompiled header must be built with. -g gives BTF and line info. */
function clangFlags(toolchain: Toolchain, paths: JailPaths): string[] {
  return [
    '-g',
    '-O2',
    '-target',
    'bpf',
    `-D__TARGET_ARCH_${toolchain.targetArch}`,
    '-fno-color-diagnostics',
    '-fmessage-length=0',
    '-ferror-limit=50',
    '-I',
    paths.work,
    '-I',
    paths.include,
    '-I',
    paths.vmlinux,
    ...toolchain.systemIncludes.flatMap((dir) => ['-idirafter', dir]),
  ];
}

/**
 * Builds vmlinux.h into a precompiled header, once per kernel BTF, toolchain
 * and sandbox mode, in the jail (so the paths it records are the ones compiles
 * see). Returns its file name in the vmlinux dir, or null if it cannot be built.
 */
export async function ensureVmlinuxPch(config: Config, toolchain: Toolchain): Promise<string | null> {
  const workdir = newWorkdir();
  try {
    const paths = pathsFor(config, toolchain, workdir);
    const flags = clangFlags(toolchain, { ...paths, work: '/work' });
    const digest = createHash('sha256')
      .update(JSON.stringify([toolchain.version, config.compileJail, flags]))
      .digest('hex')
      .slice(0, 12);
    const name = `vmlinux-${digest}.pch`;
    if (existsSync(path.join(toolchain.vmlinuxDir, name))) return name;
    const result = await runJailed(
      config,
      toolchain,
      workdir,
      [toolchain.clang, ...clangFlags(toolchain, paths), '-x', 'c-header', path.join(paths.vmlinux, 'vmlinux.h'), '-o', name],
      { timeoutMs: 60_000, maxOutputBytes: 64 * 1024 },
    );
    if (result.code !== 0) return null;
    copyFileSync(path.join(workdir, name), path.join(toolchain.vmlinuxDir, name));
    return name;
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

/**
 * BTF for the structs the user's headers define, even those the program
 * itself never names in a global (a ring buffer's record type usually lives
 * only in a local variable, so clang leaves it out of the object's BTF). A
 * second, throw-away source includes what the program includes and declares
 * a pointer to each struct; its BTF is what event records are decoded with.
 * Returns null when there is nothing to add or it does not compile.
 */
export async function compileTypeInfo(config: Config, toolchain: Toolchain, files: SourceFile[], context: CompileContext): Promise<Uint8Array | null> {
  const main = files.find((f) => f.name.endsWith('.c'))!;
  const headers = files.filter((f) => f.name.endsWith('.h'));
  const structs = [...new Set(headers.flatMap((h) => [...h.content.matchAll(/\bstruct\s+([A-Za-z_]\w*)\s*\{/g)].map((m) => m[1]!)))];
  if (!structs.length) return null;
  const includes = main.content.split('\n').filter((line) => /^\s*#\s*include\b/.test(line));
  const source = [...includes, ...structs.map((name) => `struct ${name} *__playground_type_${name};`)].join('\n');
  const workdir = newWorkdir();
  try {
    for (const file of headers) writeFileSync(path.join(workdir, file.name), file.content, { mode: 0o644 });
    writeFileSync(path.join(workdir, '__types.c'), `${source}\n`, { mode: 0o644 });
    const paths = pathsFor(config, toolchain, workdir);
    const pch = toolchain.vmlinuxPch && INCLUDES_VMLINUX.test(source) ? ['-include-pch', path.join(paths.vmlinux, toolchain.vmlinuxPch)] : [];
    const compileTypes = [
      toolchain.clang,
      ...clangFlags(toolchain, paths),
      `-DPLAYGROUND_TRACE_TAG="${context.traceTag}"`,
      ...pch,
      '-c',
      '__types.c',
      '-o',
      '__types.o',
    ];
    const limits = { timeoutMs: config.limits.compileTimeoutMs, maxOutputBytes: 64 * 1024 };
    const compiled = await runJailed(config, toolchain, workdir, compileTypes, limits);
    if (compiled.code !== 0) return null;
    const dumped = await runJailed(config, toolchain, workdir, [toolchain.objcopy, '--dump-section', '.BTF=__types.btf', '__types.o'], limits);
    return dumped.code === 0 ? readFileSync(path.join(workdir, '__types.btf')) : null;
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

/** `bpftool gen skeleton` on a compiled object, also in the jail: it parses an ELF we did not write. */
export async function generateSkeleton(config: Config, toolchain: Toolchain, object: Buffer, name: string): Promise<SkeletonResult> {
  const workdir = newWorkdir();
  try {
    writeFileSync(path.join(workdir, `${name}.bpf.o`), object, { mode: 0o644 });
    const paths = pathsFor(config, toolchain, workdir);
    const result = await runJailed(config, toolchain, workdir, [toolchain.bpftool, 'gen', 'skeleton', path.join(paths.work, `${name}.bpf.o`), 'name', name], {
      timeoutMs: config.limits.compileTimeoutMs,
      maxOutputBytes: 4 * config.limits.objectBytes + 256 * 1024,
    });
    const ok = result.code === 0 && !result.truncated;
    const text = ok ? result.stdout.toString('utf8') : scrubPaths(result.stderr, [workdir, paths.work]) || 'bpftool gen skeleton failed.';
    return { ok, text, durationMs: result.durationMs };
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

/**
 * The part of this kernel's BTF an object's CO-RE relocations use
 * (`bpftool gen min_core_btf`), jailed like the skeleton. Loading against it
 * spares libbpf parsing all of the kernel's BTF (~13 ms of a ~15 ms load
 * here), so a later Run of the same source attaches sooner. Null when the
 * object has no CO-RE relocations or bpftool could not make one.
 */
export async function generateMinimalBtf(config: Config, toolchain: Toolchain, object: Buffer): Promise<Buffer | null> {
  const workdir = newWorkdir();
  try {
    writeFileSync(path.join(workdir, 'prog.bpf.o'), object, { mode: 0o644 });
    const paths = pathsFor(config, toolchain, workdir);
    const result = await runJailed(
      config,
      toolchain,
      workdir,
      [toolchain.bpftool, 'gen', 'min_core_btf', path.join(paths.vmlinux, VMLINUX_BTF), path.join(paths.work, 'min.btf'), path.join(paths.work, 'prog.bpf.o')],
      { timeoutMs: config.limits.compileTimeoutMs, maxOutputBytes: 64 * 1024 },
    );
    const file = path.join(workdir, 'min.btf');
    return result.code === 0 && existsSync(file) ? readFileSync(file) : null;
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

/** Sources whose object has CO-RE relocations, which a minimal BTF speeds up. */
const USES_CORE = /vmlinux\.h|BPF_CORE_READ|bpf_core_|preserve_access_index/;

/**
 * Starts making the minimal BTF of a cached object, once, in `queue` (work
 * nobody waits on): the Run after this one loads with it.
 */
export function ensureMinimalBtf(entry: CachedCompile, files: SourceFile[], deps: { config: Config; toolchain: Toolchain; queue: CompileQueue }): void {
  const object = entry.result.object;
  if (entry.minimalBtf !== undefined || !object || !USES_CORE.test(files.map((f) => f.content).join('\n'))) return;
  entry.minimalBtf = deps.queue
    .run(() => generateMinimalBtf(deps.config, deps.toolchain, object))
    .catch(() => null)
    .then((btf) => (entry.minimalBtfReady = btf));
}

function signalName(number: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, n]) => n === number);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

/** clang's crash report (a stack dump and a plea to file a bug) says nothing a learner can use. */
function withoutCrashReport(log: string): string {
  const start = log.indexOf('PLEASE submit a bug report');
  return start < 0 ? log : `${log.slice(0, start)}(the compiler crashed; its stack dump is left out)\n`;
}

/** Says which limit stopped the compiler, from the signal it died of. */
function stoppedBy(signal: NodeJS.Signals, config: Config): string {
  switch (signal) {
    case 'SIGXFSZ':
      return `The compiler's output grew past the file-size limit (${fileSizeLimit(config) >> 20} MiB): is there a huge initialised array?`;
    case 'SIGXCPU':
      return 'The compiler used too much CPU time and was stopped.';
    case 'SIGKILL':
      return `The compiler was stopped: it hit the time limit (${config.limits.compileTimeoutMs / 1000} s) or the memory limit (${config.limits.compileMemoryBytes >> 20} MiB).`;
    default:
      return `The compiler crashed (${signal}), most likely out of memory (the limit is ${config.limits.compileMemoryBytes >> 20} MiB).`;
  }
}
