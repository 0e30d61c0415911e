/**
 * What was built and what the kernel made of it, for the Inspect tabs:
 * the object's ELF sections, its disassembly with the C source interleaved,
 * its BTF (all from the object, in the compile jail), and after load the
 * verifier's translated program and the JIT's output (from the kernel, by id).
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { ElfSection, SourceBlock, SourceFile } from '../../protocol/messages.ts';
import type { Config } from '../config.ts';
import { exec, type ExecResult } from '../jail/exec.ts';
import { helperNames } from '../policy/helper-ids.ts';
import { pathsFor, runJailed } from '../jail/jail.ts';
import type { Toolchain } from '../compile/toolchain.ts';
import type { InspectResult } from '../compile/compile-types.ts';
import { blocksWithin, linkObjdumpLines, linkXlatedLines, type LinkedText } from './source-lines.ts';

export type { InspectResult } from '../compile/compile-types.ts';

export interface LoadedCode {
  name: string;
  xlated: string;
  /** The C line of each stretch of `xlated`'s rows. */
  xlatedLines: SourceBlock[];
  /** null when this host's bpftool or kernel cannot show JITed code. */
  jited: string | null;
}

/** Each text shown in a tab is cut here; the text then says so. */
export const TEXT_LIMIT = 1024 * 1024;
/** What a tool may print before we stop reading: above TEXT_LIMIT, since raw bytes and JSON are trimmed first. */
const TOOL_OUTPUT_LIMIT = 8 * 1024 * 1024;
const DUMP_TIMEOUT_MS = 10_000;

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const OBJECT_NAME = /^[A-Za-z0-9_]{1,64}$/;

interface LlvmTools {
  objdump: string | null;
  readelf: string | null;
}

let llvmTools: LlvmTools | null = null;

/**
 * Finds llvm-objdump and llvm-readelf once: the LLVM that matches clang's
 * major version first (an older objdump cannot print newer instructions such
 * as addr_space_cast), then the unversioned names, then any other. Only paths
 * under /usr count, since the jail shows nothing else of the host.
 */
export function findLlvmTools(toolchain: Toolchain): LlvmTools {
  if (llvmTools) return llvmTools;
  const major = /clang version (\d+)/.exec(toolchain.version)?.[1];
  const versions = existsSync('/usr/lib')
    ? readdirSync('/usr/lib')
        .map((entry) => /^llvm-(\d+)$/.exec(entry)?.[1])
        .filter((v): v is string => v !== undefined)
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const ordered = major ? [major, ...versions.filter((v) => v !== major)] : versions;
  const find = (tool: string): string | null =>
    [...ordered.slice(0, 1), 'unversioned', ...ordered.slice(1)]
      .flatMap((v) => (v === 'unversioned' ? [`/usr/bin/${tool}`] : [`/usr/lib/llvm-${v}/bin/${tool}`, `/usr/bin/${tool}-${v}`]))
      .find((p) => existsSync(p)) ?? null;
  llvmTools = { objdump: find('llvm-objdump'), readelf: find('llvm-readelf') };
  return llvmTools;
}

/**
 * Runs llvm-readelf, llvm-objdump and bpftool on a compiled object, in the
 * jail: the object is the user's, and these parsers were not written for
 * hostile ELF. The user's sources sit next to it, under the names the
 * object's DWARF gives them, so objdump can print each C line above its
 * instructions. Never rejects for a tool's failure: its message becomes the text.
 */
export async function inspectObject(config: Config, toolchain: Toolchain, files: SourceFile[], object: Buffer, name: string): Promise<InspectResult> {
  const objectFile = `${OBJECT_NAME.test(name) ? name : 'prog'}.bpf.o`;
  const tools = findLlvmTools(toolchain);
  const workdir = mkdtempSync(path.join(tmpdir(), 'ebpf-playground-inspect-'));
  try {
    // The tools run as nobody and only read.
    chmodSync(workdir, 0o755);
    for (const file of files) {
      if (FILE_NAME.test(file.name) && file.name !== objectFile) writeFileSync(path.join(workdir, file.name), file.content, { mode: 0o644 });
    }
    writeFileSync(path.join(workdir, objectFile), object, { mode: 0o644 });
    const paths = pathsFor(config, toolchain, workdir);
    const scrub = (text: string) => scrubPaths(text, [workdir, paths.work]);
    const run = (argv: string[]) =>
      runJailed(config, toolchain, workdir, argv, { timeoutMs: config.limits.compileTimeoutMs, maxOutputBytes: TOOL_OUTPUT_LIMIT });

    const userFiles = files.map((f) => f.name);
    const [sections, disassembly, btf] = await Promise.all([
      tools.readelf ? run([tools.readelf, '--section-headers', '--elf-output-style=JSON', objectFile]).then(parseSections) : Promise.resolve([]),
      tools.objdump
        ? run([tools.objdump, '--disassemble', '--source', '--line-numbers', '--reloc', ...sourcePrefix(config, paths.work), objectFile]).then((r) =>
            disassemblyText(r, userFiles, scrub),
          )
        : Promise.resolve({ text: 'llvm-objdump is not installed, so there is no disassembly: install the Debian package llvm.', blocks: [] }),
      Promise.all([
        run([toolchain.bpftool, 'btf', 'dump', 'file', objectFile, 'format', 'c']),
        run([toolchain.bpftool, 'btf', 'dump', 'file', objectFile, 'format', 'raw']),
      ]).then(([c, raw]) => btfText(c, raw, objectFile, scrub)),
    ]);
    return { sections, disassembly: disassembly.text, disassemblyLines: disassembly.blocks, btf };
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

/**
 * Without the jail the object's DWARF names the compile's own temp dir, gone
 * by now: --prefix-strip drops that dir (tmpdir plus one level, as compile()
 * makes it) and --prefix points at ours. In the jail both are /work.
 */
function sourcePrefix(config: Config, work: string): string[] {
  if (config.compileJail !== 'none') return [];
  const depth = path.resolve(tmpdir()).split('/').filter(Boolean).length + 1;
  return [`--prefix=${work}`, `--prefix-strip=${depth}`];
}

function scrubPaths(text: string, dirs: string[]): string {
  let out = text;
  for (const dir of dirs) out = out.split(`${dir}/`).join('');
  return out;
}

/** Cuts a text shown to the user at a line end near `limit`, and says so. */
export function capText(text: string, limit = TEXT_LIMIT, moreBytes = 0): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= limit && moreBytes === 0) return text;
  let cut = text;
  if (bytes > limit) {
    cut = Buffer.from(text).subarray(0, limit).toString('utf8');
    const lineEnd = cut.lastIndexOf('\n');
    if (lineEnd > limit / 2) cut = cut.slice(0, lineEnd + 1);
  }
  const dropped = bytes - Buffer.byteLength(cut) + moreBytes;
  const shown = limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MiB` : `${limit} bytes`;
  return `${cut}${cut.endsWith('\n') ? '' : '\n'}… ${dropped} more bytes were cut here (the limit is ${shown}).\n`;
}

/** capText for a text whose rows are linked to C lines: the blocks of rows that were cut go with them. */
export function capLinkedText(linked: LinkedText, limit = TEXT_LIMIT, moreBytes = 0): LinkedText {
  const text = capText(linked.text, limit, moreBytes);
  if (text === linked.text) return linked;
  // capText ends a cut text in a line of its own and a line end: the rows before those are what is left.
  const rowsLeft = text.split('\n').length - 2;
  return { text, blocks: blocksWithin(linked.blocks, rowsLeft) };
}

/** objdump's disassembly as shown (helpers named, temp paths gone, cut at the limit) and the C line of its rows. */
function disassemblyText(result: ExecResult, userFiles: readonly string[], scrub: (text: string) => string): LinkedText {
  const tool = 'llvm-objdump';
  if (result.timedOut) return { text: `${tool} took too long and was stopped.`, blocks: [] };
  if (result.code !== 0) return { text: `${tool} failed: ${scrub(result.stderr).trim() || `exit status ${result.code}`}`, blocks: [] };
  const linked = linkObjdumpLines(annotateDisassembly(result.stdout.toString('utf8')), userFiles);
  return capLinkedText({ text: scrub(linked.text), blocks: linked.blocks }, TEXT_LIMIT, result.truncated ? result.droppedBytes : 0);
}

// ---- ELF sections ----

/**
 * One section as llvm-readelf's JSON writes it. LLVM 14 nests the sections
 * under the file's name and gives names and types as `Value`, flags as
 * `RawFlags`; LLVM 19 puts them beside a FileSummary, with the names in `Name`
 * and the numbers in `Value`. Both read as {index, name, type, size, flags}.
 */
const llvm14Section = z
  .object({
    Index: z.number(),
    Name: z.object({ Value: z.string() }),
    Type: z.object({ Value: z.string() }),
    Flags: z.object({ RawFlags: z.number() }),
    Size: z.number(),
  })
  .transform((s) => ({ index: s.Index, name: s.Name.Value, type: s.Type.Value, size: s.Size, flags: s.Flags.RawFlags }));
const llvm19Section = z
  .object({
    Index: z.number(),
    Name: z.object({ Name: z.string() }),
    Type: z.object({ Name: z.string() }),
    Flags: z.object({ Value: z.number() }),
    Size: z.number(),
  })
  .transform((s) => ({ index: s.Index, name: s.Name.Name, type: s.Type.Name, size: s.Size, flags: s.Flags.Value }));
const sectionList = z.object({ Sections: z.array(z.object({ Section: z.union([llvm14Section, llvm19Section]) })) });
const readelfJsonSchema = z.array(z.union([sectionList, z.record(z.string(), sectionList)]));

/** readelf's flag letters, in the order it prints them ("Key to Flags" in `llvm-readelf -S`). */
const FLAG_LETTERS: [number, string][] = [
  [0x1, 'W'],
  [0x2, 'A'],
  [0x4, 'X'],
  [0x10, 'M'],
  [0x20, 'S'],
  [0x40, 'I'],
  [0x80, 'L'],
  [0x100, 'O'],
  [0x200, 'G'],
  [0x400, 'T'],
  [0x800, 'C'],
  [0x200000, 'R'],
  [0x80000000, 'E'],
];

export function sectionFlags(raw: number): string {
  let letters = '';
  let known = 0;
  for (const [bit, letter] of FLAG_LETTERS) {
    known |= bit;
    if ((raw & bit) >>> 0 === bit) letters += letter;
  }
  return (raw & ~known) >>> 0 !== 0 ? `${letters}x` : letters;
}

/**
 * `llvm-readelf -S --elf-output-style=JSON`, as `{name, type, size, flags}`
 * the way readelf's table shows them (PROGBITS, "AX"). JSON because section
 * names may hold spaces, which the text table cannot tell apart. The null
 * section at index 0 is left out.
 */
export function parseSections(result: ExecResult): ElfSection[] {
  if (result.code !== 0 || result.truncated) return [];
  let data: unknown;
  try {
    data = JSON.parse(result.stdout.toString('utf8'));
  } catch {
    return [];
  }
  const parsed = readelfJsonSchema.safeParse(data);
  if (!parsed.success) return [];
  const first = parsed.data[0];
  const file = first && 'Sections' in first ? first : Object.values(first ?? {})[0];
  return ((file?.Sections ?? []) as { Section: { index: number; name: string; type: string; size: number; flags: number } }[])
    .map(({ Section: s }) => s)
    .filter((s) => s.index !== 0)
    .map((s) => ({ name: s.name, type: s.type.replace(/^SHT_/, ''), size: s.size, flags: sectionFlags(s.flags) }));
}

// ---- disassembly ----

const INSN_LINE = /^(\s*\d+:)\t((?:[0-9a-f]{2} )*[0-9a-f]{2})\t(.*)$/;

/**
 * objdump's text with the raw bytes taken out (as --no-show-raw-insn would)
 * after reading one thing from them: whether a `call N` calls helper N or a
 * function of the program N instructions on, which objdump prints alike.
 * Helper calls get the helper's name the way the verifier log writes it
 * (`call bpf_trace_printk#6`); calls within the program read `call pc+N`.
 */
export function annotateDisassembly(text: string, helpers: Map<number, string> = helperNames()): string {
  return text
    .split('\n')
    .map((line) => {
      const m = INSN_LINE.exec(line);
      if (!m) return line;
      const [, address, hex, insn] = m;
      const bytes = hex!.split(' ').map((b) => parseInt(b, 16));
      let out = insn!;
      // llvm-objdump 14 prints `call 6`, 19 prints `call 0x6` (and `call -0x1`).
      const call = /^call (-?(?:0x[0-9a-f]+|\d+))$/.exec(out);
      if (bytes[0] === 0x85 && call) {
        const text = call[1]!;
        const imm = text.startsWith('-') ? -Number(text.slice(1)) : Number(text);
        const srcReg = bytes[1]! >> 4;
        if (srcReg === 0 && helpers.has(imm)) out = `call ${helpers.get(imm)}#${imm}`;
        // imm -1 is a call relocated later: the relocation line below names its target.
        else if (srcReg === 1 && imm !== -1) out = `call pc${imm >= 0 ? '+' : ''}${imm}`;
      }
      return `${address}\t${out}`;
    })
    .join('\n');
}

// ---- BTF ----

/**
 * bpftool's C form shows the types; the functions, variables and data
 * sections (the program, its maps, its license) are only in the raw form,
 * so that follows as a C comment.
 */
function btfText(c: ExecResult, raw: ExecResult, objectFile: string, scrub: (text: string) => string): string {
  const failed = (r: ExecResult) => r.timedOut || r.code !== 0;
  if (failed(c) && failed(raw)) {
    const why =
      scrub(raw.stderr || c.stderr)
        .trim()
        .replace(/^Error: /, '') || (raw.timedOut ? 'it took too long' : 'no reason given');
    return `bpftool could not read this object's BTF: ${why}`;
  }
  const parts: string[] = [];
  if (!failed(c)) parts.push(c.stdout.toString('utf8').trimEnd());
  else parts.push(`/* bpftool could not write this BTF as C: ${scrub(c.stderr).trim().replace(/\*\//g, '* /')} */`);
  if (!failed(raw)) {
    const lines = raw.stdout.toString('utf8').trimEnd().split('\n');
    parts.push(
      [
        `/*`,
        ` * bpftool btf dump file ${objectFile} format raw: every type with its id,`,
        ` * including the functions, variables and data sections the C above leaves out.`,
        ` *`,
        ...lines.map((l) => ` * ${l.replace(/\*\//g, '* /')}`),
        ` */`,
      ].join('\n'),
    );
  }
  const moreBytes = (c.truncated ? c.droppedBytes : 0) + (raw.truncated ? raw.droppedBytes : 0);
  return capText(scrub(`${parts.join('\n\n')}\n`), TEXT_LIMIT, moreBytes);
}

// ---- the loaded program, from the kernel ----

const BPFTOOL = ['/usr/sbin/bpftool', '/usr/bin/bpftool', '/usr/local/sbin/bpftool'].find((p) => existsSync(p)) ?? 'bpftool';

/** Set once bpftool says it cannot disassemble JITed code, so it is not asked again. */
let jitDumpUnsupported = false;

/**
 * The verifier's rewrite of each loaded program (`bpftool prog dump xlated`,
 * with the C lines from its BTF) and the JITed machine code where this host's
 * bpftool can disassemble it. Runs as root outside the jail: the input is
 * kernel program ids, not the user's files. Never rejects for a failed dump.
 */
export async function dumpLoadedCode(programs: { name: string; id: number }[], userFiles: readonly string[] = []): Promise<LoadedCode[]> {
  const out: LoadedCode[] = [];
  for (const { name, id } of programs) {
    if (!Number.isSafeInteger(id) || id <= 0) {
      out.push({ name, xlated: `Program ${name} has no kernel id: it is not loaded.`, xlatedLines: [], jited: null });
      continue;
    }
    // linum: each C line's comment says its file and line, which become the rows' links and leave the text.
    const xlated = await bpftool(['prog', 'dump', 'xlated', 'id', String(id), 'linum'], (text) => linkXlatedLines(text, userFiles));
    out.push({
      name,
      xlated: xlated.ok ? xlated.text : `bpftool could not show program ${name} (id ${id}): ${xlated.text}`,
      xlatedLines: xlated.ok ? xlated.blocks : [],
      jited: await dumpJited(id),
    });
  }
  return out;
}

async function dumpJited(id: number): Promise<string | null> {
  if (jitDumpUnsupported) return null;
  const jited = await bpftool(['prog', 'dump', 'jited', 'id', String(id)]);
  if (!jited.ok) {
    // Debian's bpftool is built without libbfd, its disassembler.
    if (/libbfd|disassembl/i.test(jited.text)) jitDumpUnsupported = true;
    return null;
  }
  // A kernel with the JIT off has only the interpreter: nothing to show.
  return jited.text.trim() === '' || /no instructions returned/i.test(jited.text) ? null : jited.text;
}

/** A bpftool dump as shown, cut at the limit; `link` reads which C line its rows came from, when the dump says. */
async function bpftool(args: string[], link: (text: string) => LinkedText = (text) => ({ text, blocks: [] })): Promise<{ ok: boolean } & LinkedText> {
  let result: ExecResult;
  try {
    result = await exec(BPFTOOL, args, { timeoutMs: DUMP_TIMEOUT_MS, maxOutputBytes: TOOL_OUTPUT_LIMIT });
  } catch (error) {
    return { ok: false, text: `bpftool could not be started (${(error as Error).message}).`, blocks: [] };
  }
  if (result.timedOut) return { ok: false, text: 'bpftool took too long and was stopped.', blocks: [] };
  if (result.code !== 0) return { ok: false, text: result.stderr.trim().replace(/^Error: /, '') || `exit status ${result.code}`, blocks: [] };
  return { ok: true, ...capLinkedText(link(result.stdout.toString('utf8')), TEXT_LIMIT, result.truncated ? result.droppedBytes : 0) };
}
