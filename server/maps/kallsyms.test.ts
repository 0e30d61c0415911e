// Needs: nothing (no root, no kernel): kallsyms text written here. This host's own is read in kallsyms.kernel.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelSymbols } from './kallsyms.ts';

// Lines as /proc/kallsyms prints them (module symbols last, out of order, with a tab before the module).
const SAMPLE = [
  'ffffffff81000000 T _stext',
  'ffffffff81001000 t early_helper',
  'ffffffff82000000 D some_data',
  'ffffffff821ed4a0 T do_syscall_64',
  'ffffffff821ed700 W weak_function',
  'ffffffff821ed800 T entry_SYSCALL_64',
  'ffffffffc0a01000 t nft_do_chain\t[nf_tables]',
  'ffffffffc0100000 t bpf_prog_6deef7357e7b4530_hello\t[bpf]',
].join('\n');

test('kernel addresses name the function they are in, with the offset', () => {
  const symbols = KernelSymbols.parse(SAMPLE)!;
  assert.equal(symbols.size, 7, 'data symbols are left out');
  assert.equal(symbols.symbolize(0xffffffff821ed4fcn), 'do_syscall_64+0x5c');
  assert.equal(symbols.symbolize(0xffffffff821ed4a0n), 'do_syscall_64+0x0');
  assert.equal(symbols.symbolize(0xffffffff821ed701n), 'weak_function+0x1');
  assert.equal(symbols.symbolize(0xffffffffc0a011d0n), 'nft_do_chain+0x1d0 [nf_tables]');
  assert.equal(symbols.symbolize(0xffffffffc0100010n), 'bpf_prog_6deef7357e7b4530_hello+0x10 [bpf]');
  // Past the data symbol the nearest function is still early_helper, but not a megabyte on.
  assert.equal(symbols.symbolize(0xffffffff81001000n + 0x200n), 'early_helper+0x200');
  assert.equal(symbols.symbolize(0xffffffff81001000n + (1n << 20n)), null);
  assert.equal(symbols.symbolize(0xffffffff80000000n), null, 'below the first symbol');
});

test('a kallsyms that hides its addresses gives no symbols', () => {
  assert.equal(KernelSymbols.parse(SAMPLE.replace(/^[0-9a-f]{16}/gm, '0000000000000000')), null);
  assert.equal(KernelSymbols.parse(''), null);
});
