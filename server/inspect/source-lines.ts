/**
 * Which C line each row of a shown code text came from, read out of what the
 * tools print: `llvm-objdump -S -l` writes `; /work/prog.bpf.c:11` above the
 * instructions of line 11, `bpftool prog dump xlated … linum` ends each C
 * line's comment in `[file:/work/prog.bpf.c line_num:11 line_col:2]`. Those
 * markers leave the text (it reads as before) and become data: the page links
 * a C line to its rows by them.
 */
import type { SourceBlock } from '../../protocol/messages.ts';

export interface LinkedText {
  text: string;
  blocks: SourceBlock[];
}

/** Where a C line is, or null for rows that belong to none (labels, blank lines, a section's title). */
type Location = { file: string; line: number } | null;

/**
 * The file as the page names it: the user's file (the tools see it under the
 * compile's work dir) by its name; a header of the toolchain by its path.
 */
export function sourceFileName(filePath: string, userFiles: readonly string[]): string {
  const base = filePath.slice(filePath.lastIndexOf('/') + 1);
  return userFiles.includes(base) ? base : filePath;
}

/** Rows in a row: consecutive rows from the same C line make one block. */
class BlockBuilder {
  readonly blocks: SourceBlock[] = [];

  add(row: number, at: Location): void {
    if (!at) return;
    const last = this.blocks.at(-1);
    if (last && last.lastRow === row - 1 && last.file === at.file && last.line === at.line) last.lastRow = row;
    else this.blocks.push({ firstRow: row, lastRow: row, file: at.file, line: at.line });
  }
}

// llvm-objdump -l: `; /path/file.c:42` (the path is absolute: the compile's work dir, or a header's).
const OBJDUMP_LOCATION = /^; (\/[^\t]*):(\d+)$/;
// With -l objdump also names the function of each stretch (`; handle_exec():`); for an object with a
// section per program LLVM 19 often names the wrong one, so it goes, like the locations.
const OBJDUMP_FUNCTION = /^; [A-Za-z_][\w.$]*\(\):$/;
const OBJDUMP_INSTRUCTION = /^\s*\d+:\t/;
// A relocation or CO-RE note under its instruction: `\t\t00000000000000e8:  R_BPF_64_64\t.rodata`.
const OBJDUMP_NOTE = /^\t\t[0-9a-f]+: /;
const OBJDUMP_SOURCE = /^; /;

/**
 * `llvm-objdump -d -S -l` as the text `-d -S` prints (the location and
 * function lines taken out, the blank lines at the top too) and the rows of
 * each C line: the C text objdump interleaves, the instructions under it and
 * their relocations.
 */
export function linkObjdumpLines(output: string, userFiles: readonly string[]): LinkedText {
  const rows: string[] = [];
  const blocks = new BlockBuilder();
  let at: Location = null;
  for (const line of output.replace(/^\n+/, '').split('\n')) {
    const location = OBJDUMP_LOCATION.exec(line);
    if (location) {
      const number = Number(location[2]);
      // Line 0 is code the compiler made for no line in particular.
      at = number > 0 ? { file: sourceFileName(location[1]!, userFiles), line: number } : null;
      continue;
    }
    if (OBJDUMP_FUNCTION.test(line)) continue;
    rows.push(line);
    if (OBJDUMP_INSTRUCTION.test(line) || OBJDUMP_NOTE.test(line) || OBJDUMP_SOURCE.test(line)) blocks.add(rows.length, at);
    // A label, a section's title or a blank line: the next function starts afresh.
    else at = null;
  }
  return { text: rows.join('\n'), blocks: blocks.blocks };
}

// bpftool's linum: `; bpf_printk("…", msg); [file:/work/hello_execve.bpf.c line_num:11 line_col:2]`.
const XLATED_LOCATION = /^(;.*?) ?\[file:(.+?) line_num:(\d+)(?: line_col:\d+)?\]$/;
const XLATED_INSTRUCTION = /^\s*\d+: \(/;

/**
 * `bpftool prog dump xlated … linum` as the text without `linum` reads
 * (each C line's comment without its file and line) and the rows of each
 * C line: its comment and the instructions under it.
 */
export function linkXlatedLines(output: string, userFiles: readonly string[]): LinkedText {
  const rows: string[] = [];
  const blocks = new BlockBuilder();
  let at: Location = null;
  for (const line of output.split('\n')) {
    const location = XLATED_LOCATION.exec(line);
    if (location) {
      const number = Number(location[3]);
      at = number > 0 ? { file: sourceFileName(location[2]!, userFiles), line: number } : null;
      rows.push(location[1]!);
      blocks.add(rows.length, at);
      continue;
    }
    rows.push(line);
    if (XLATED_INSTRUCTION.test(line)) blocks.add(rows.length, at);
    else at = null;
  }
  return { text: rows.join('\n'), blocks: blocks.blocks };
}

/** The blocks of the first `rowCount` rows (what is left of a text that was cut), the last one cut with it. */
export function blocksWithin(blocks: SourceBlock[], rowCount: number): SourceBlock[] {
  return blocks.filter((b) => b.firstRow <= rowCount).map((b) => (b.lastRow <= rowCount ? b : { ...b, lastRow: rowCount }));
}
