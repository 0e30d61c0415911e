// Needs: nothing (no root, no kernel): formatting of saved llvm-objdump text and flags.
// inspectObject and dumpLoadedCode on real programs are in inspect.kernel.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { annotateDisassembly, capText, sectionFlags } from './inspect.ts';

describe('formatting', () => {
  // llvm-objdump -d -r of a program with two noinline functions (clang 14):
  // `call 2` in outer is a call within the program (src_reg 1), `call 7` a helper.
  const SAVED = [
    '0000000000000000 <outer>:',
    '       0:\t85 10 00 00 02 00 00 00\tcall 2',
    '       1:\t07 00 00 00 01 00 00 00\tr0 += 1',
    '       2:\t95 00 00 00 00 00 00 00\texit',
    '',
    '0000000000000018 <inner>:',
    '       3:\t85 00 00 00 07 00 00 00\tcall 7',
    '',
    '0000000000000000 <p>:',
    '       0:\t85 10 00 00 ff ff ff ff\tcall -1',
    '\t\t0000000000000000:  R_BPF_64_32\t.text',
    '       1:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0 ll',
  ].join('\n');

  test('calls are told apart by their source register, and raw bytes go', () => {
    const helpers = new Map([
      [2, 'bpf_map_update_elem'],
      [7, 'bpf_get_prandom_u32'],
    ]);
    assert.equal(
      annotateDisassembly(SAVED, helpers),
      [
        '0000000000000000 <outer>:',
        '       0:\tcall pc+2',
        '       1:\tr0 += 1',
        '       2:\texit',
        '',
        '0000000000000018 <inner>:',
        '       3:\tcall bpf_get_prandom_u32#7',
        '',
        '0000000000000000 <p>:',
        '       0:\tcall -1',
        '\t\t0000000000000000:  R_BPF_64_32\t.text',
        '       1:\tr1 = 0 ll',
      ].join('\n'),
    );
  });

  test('section flags read as readelf prints them', () => {
    assert.equal(sectionFlags(0x6), 'AX');
    assert.equal(sectionFlags(0x32), 'AMS');
    assert.equal(sectionFlags(0x3), 'WA');
    assert.equal(sectionFlags(0x80000000), 'E');
    assert.equal(sectionFlags(0), '');
  });

  test('long texts are cut at a line end and say so', () => {
    const text = 'line\n'.repeat(100);
    const cut = capText(text, 52);
    assert.ok(cut.startsWith('line\n'.repeat(10)));
    assert.match(cut, /\n… 450 more bytes were cut here \(the limit is 52 bytes\)\.\n$/);
    assert.equal(capText('short\n', 52), 'short\n');
  });
});
