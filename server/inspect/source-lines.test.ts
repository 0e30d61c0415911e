// Needs: nothing (no root, no kernel). The fixtures are real outputs, saved on the playground's host
// from the bundled examples compiled as a Run compiles them (clang 14, llvm-objdump 19 in the jail,
// bpftool 7.5 on the loaded programs): `llvm-objdump -d -S -l -r` and the same without -l;
// `bpftool prog dump xlated id N linum` and the same without linum, on one load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { capLinkedText } from './inspect.ts';
import { linkObjdumpLines, linkXlatedLines, sourceFileName } from './source-lines.ts';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const rowsOf = (text: string) => text.split('\n');
const INSTRUCTION = /^\s*\d+:\t/;

describe('the disassembly (llvm-objdump -S -l)', () => {
  const hello = linkObjdumpLines(fixture('hello_execve.objdump-S-l.txt'), ['hello_execve.bpf.c']);

  test('reads as -S alone prints it: the locations and function names leave the text', () => {
    assert.equal(hello.text, fixture('hello_execve.objdump-S.txt').replace(/^\n+/, ''));
    const bootstrap = linkObjdumpLines(fixture('bootstrap.objdump-S-l.txt'), ['bootstrap.bpf.c', 'bootstrap.h']);
    assert.equal(bootstrap.text, fixture('bootstrap.objdump-S.txt').replace(/^\n+/, ''));
  });

  test("each C line's rows are its C text and the instructions under it", () => {
    const rows = rowsOf(hello.text);
    assert.equal(rows[15], '; \tbpf_printk("invoke bpf_prog: %s\\n", msg);');
    assert.deepEqual(hello.blocks, [
      { firstRow: 6, lastRow: 7, file: 'hello_execve.bpf.c', line: 8 },
      { firstRow: 8, lastRow: 15, file: 'hello_execve.bpf.c', line: 9 },
      // r1 = the format string (with its relocation), r2 = its length, the helper call.
      { firstRow: 16, lastRow: 20, file: 'hello_execve.bpf.c', line: 11 },
      { firstRow: 21, lastRow: 23, file: 'hello_execve.bpf.c', line: 12 },
    ]);
    assert.match(rows[19]!, /^\s+12:\t85 00 00 00 06 00 00 00\tcall 0x6$/);
  });

  test('every instruction of two programs in two sections has its C line; labels and titles have none', () => {
    const bootstrap = linkObjdumpLines(fixture('bootstrap.objdump-S-l.txt'), ['bootstrap.bpf.c', 'bootstrap.h']);
    const rows = rowsOf(bootstrap.text);
    const lineOf = (row: number) => bootstrap.blocks.find((b) => b.firstRow <= row && row <= b.lastRow);
    rows.forEach((text, index) => {
      const block = lineOf(index + 1);
      if (INSTRUCTION.test(text)) assert.ok(block, `row ${index + 1} (${text}) has a C line`);
      if (/^Disassembly of section|^[0-9a-f]{16} <|^$/.test(text)) assert.equal(block, undefined, `row ${index + 1} (${text}) has none`);
    });
    // The map update of handle_exec (line 47): the C text, r1 = &exec_start and its relocation, r4, the call.
    const update = rows.findIndex((r) => r.includes('bpf_map_update_elem(&exec_start')) + 1;
    assert.deepEqual(lineOf(update), { firstRow: update, lastRow: update + 4, file: 'bootstrap.bpf.c', line: 47 });
    // handle_exit's first instruction is line 68's, not the end of handle_exec before its label.
    const exitLabel = rows.indexOf('0000000000000000 <handle_exit>:') + 1;
    assert.equal(lineOf(exitLabel + 1)?.line, 68);
    assert.ok(bootstrap.blocks.every((b) => b.file === 'bootstrap.bpf.c'));
  });

  test("a path that is not one of the user's files stays a path", () => {
    const unnamed = linkObjdumpLines(fixture('hello_execve.objdump-S-l.txt'), []);
    assert.deepEqual(
      unnamed.blocks.map((b) => b.file),
      Array(4).fill('/work/hello_execve.bpf.c'),
    );
    assert.equal(sourceFileName('/work/include/bpf/bpf_helpers.h', ['hello_execve.bpf.c']), '/work/include/bpf/bpf_helpers.h');
  });
});

describe('the translated program (bpftool prog dump xlated linum)', () => {
  const hello = linkXlatedLines(fixture('hello_execve.bpf_prog.xlated-linum.txt'), ['hello_execve.bpf.c']);

  test('reads as the dump without linum: each C line without its file and line', () => {
    assert.equal(hello.text, fixture('hello_execve.bpf_prog.xlated.txt'));
  });

  test("each C line's rows are its comment and the instructions under it", () => {
    assert.equal(rowsOf(hello.text)[11], '; bpf_printk("invoke bpf_prog: %s\\n", msg);');
    assert.deepEqual(hello.blocks, [
      // The BTF line info puts the first instruction on the function's own line.
      { firstRow: 2, lastRow: 3, file: 'hello_execve.bpf.c', line: 7 },
      { firstRow: 4, lastRow: 11, file: 'hello_execve.bpf.c', line: 9 },
      { firstRow: 12, lastRow: 15, file: 'hello_execve.bpf.c', line: 11 },
      { firstRow: 16, lastRow: 18, file: 'hello_execve.bpf.c', line: 12 },
    ]);
  });

  test('two columns of one C line in a row make one block; every instruction has its line', () => {
    const exit = linkXlatedLines(fixture('bootstrap.handle_exit.xlated-linum.txt'), ['bootstrap.bpf.c']);
    assert.doesNotMatch(exit.text, /\[file:|line_num:/);
    const rows = rowsOf(exit.text);
    // `pid_t pid = id >> 32;` is said twice (columns 17 and 8) over rows 4 to 8.
    assert.deepEqual(exit.blocks[1], { firstRow: 4, lastRow: 8, file: 'bootstrap.bpf.c', line: 69 });
    rows.forEach((text, index) => {
      if (/^\s*\d+: \(/.test(text))
        assert.ok(
          exit.blocks.some((b) => b.firstRow <= index + 1 && index + 1 <= b.lastRow),
          `row ${index + 1} has a C line`,
        );
    });
  });
});

describe('a linked text cut at the limit', () => {
  test('keeps the blocks of the rows left, the last one cut with the text, none on the note', () => {
    const linked = linkObjdumpLines(fixture('hello_execve.objdump-S-l.txt'), ['hello_execve.bpf.c']);
    // The limit falls inside row 18 (the relocation under the first instruction of line 11).
    const limit = rowsOf(linked.text).slice(0, 17).join('\n').length + 5;
    const cut = capLinkedText(linked, limit);
    const rows = rowsOf(cut.text);
    assert.match(rows.at(-2)!, /^… \d+ more bytes were cut here/);
    assert.deepEqual(cut.blocks, [
      { firstRow: 6, lastRow: 7, file: 'hello_execve.bpf.c', line: 8 },
      { firstRow: 8, lastRow: 15, file: 'hello_execve.bpf.c', line: 9 },
      { firstRow: 16, lastRow: 17, file: 'hello_execve.bpf.c', line: 11 },
    ]);
    assert.equal(capLinkedText(linked), linked, 'under the limit nothing changes');
  });
});
