import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceBlock } from '../../../protocol/messages.ts';
import { lineOfRow, rowsOfLine, SourceLinks, type SourceLine } from './source-links.ts';

// hello_execve's disassembly, as the server sends it (server/inspect/source-lines.test.ts), with line 11
// split in two stretches, as a C line whose code the compiler spread out is.
const BLOCKS: SourceBlock[] = [
  { firstRow: 6, lastRow: 7, file: 'hello_execve.bpf.c', line: 8 },
  { firstRow: 16, lastRow: 18, file: 'hello_execve.bpf.c', line: 11 },
  { firstRow: 19, lastRow: 19, file: 'hello_execve.bpf.c', line: 12 },
  { firstRow: 20, lastRow: 21, file: 'hello_execve.bpf.c', line: 11 },
];

describe('rows and C lines', () => {
  test("a C line's rows are those of all its stretches", () => {
    assert.deepEqual(rowsOfLine(BLOCKS, { file: 'hello_execve.bpf.c', line: 11 }), [16, 17, 18, 20, 21]);
    assert.deepEqual(rowsOfLine(BLOCKS, { file: 'other.bpf.c', line: 11 }), []);
    assert.deepEqual(rowsOfLine(BLOCKS, null), []);
  });

  test("a row's C line, none for a row outside the stretches", () => {
    assert.deepEqual(lineOfRow(BLOCKS, 20), { file: 'hello_execve.bpf.c', line: 11 });
    assert.equal(lineOfRow(BLOCKS, 5), null);
  });
});

describe('SourceLinks', () => {
  const at = (line: number): SourceLine => ({ file: 'hello_execve.bpf.c', line });

  test('a code row under the mouse wins over the editor; then its mouse, then its cursor', () => {
    const links = new SourceLinks(() => {});
    let changes = 0;
    links.subscribe(() => changes++);
    links.pointInEditor(at(9), 'cursor');
    assert.deepEqual(links.linked, { ...at(9), from: 'editor-cursor' });
    links.pointInEditor(at(12), 'hover');
    links.pointInCode(at(11));
    assert.deepEqual(links.linked, { ...at(11), from: 'code' });
    links.pointInCode(null);
    assert.deepEqual(links.linked, { ...at(12), from: 'editor-hover' });
    links.pointInEditor(null, 'hover');
    assert.deepEqual(links.linked, { ...at(9), from: 'editor-cursor' });
    assert.equal(changes, 5);
  });

  test('the same line pointed at again tells nobody: the mouse moves within a line many times', () => {
    const links = new SourceLinks(() => {});
    let changes = 0;
    links.subscribe(() => changes++);
    links.pointInEditor(at(11), 'hover');
    links.pointInEditor(at(11), 'hover');
    links.pointInEditor(at(11), 'hover');
    assert.equal(changes, 1);
  });

  test('a click on a row reveals its line', () => {
    const revealed: SourceLine[] = [];
    new SourceLinks((line) => revealed.push(line)).pickInCode(at(11));
    assert.deepEqual(revealed, [at(11)]);
  });
});
