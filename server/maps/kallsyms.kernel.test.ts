// Needs: root: only root sees kernel addresses in /proc/kallsyms (others read zeros).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kernelSymbols } from './kallsyms.ts';

test("this host's /proc/kallsyms is read once, and names its functions", async () => {
  const first = kernelSymbols();
  assert.equal(kernelSymbols(), first, 'one read for the life of the process');
  const symbols = await first;
  const line = readFileSync('/proc/kallsyms', 'utf8')
    .split('\n')
    .find((l) => / [tT] do_syscall_64$/.test(l));
  assert.ok(symbols && line);
  assert.equal(symbols.symbolize(BigInt(`0x${line.slice(0, 16)}`) + 0x5cn), 'do_syscall_64+0x5c');
});
