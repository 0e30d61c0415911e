import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompileCache } from './compile-cache.ts';
import type { CompileResult } from './compiler.ts';
import type { Toolchain } from './toolchain.ts';

const toolchain = { version: 'clang 14; bpftool 7.1', vmlinuxPch: 'v.pch' } as Toolchain;
const result = (bytes: number): CompileResult => ({ ok: true, diagnostics: [], log: '', name: 'p', durationMs: 1, object: Buffer.alloc(bytes) });

test('the key changes with the files, the trace tag and the toolchain, not with file order', () => {
  const a = { name: 'a.bpf.c', content: 'int x;' };
  const h = { name: 'a.h', content: '#define X 1' };
  const key = CompileCache.key(toolchain, [a, h], { traceTag: 't1' }, 'bwrap');
  assert.equal(CompileCache.key(toolchain, [h, a], { traceTag: 't1' }, 'bwrap'), key);
  assert.notEqual(CompileCache.key(toolchain, [a, { ...h, content: '#define X 2' }], { traceTag: 't1' }, 'bwrap'), key);
  assert.notEqual(CompileCache.key(toolchain, [a, h], { traceTag: 't2' }, 'bwrap'), key);
  assert.notEqual(CompileCache.key({ ...toolchain, version: 'clang 15' }, [a, h], { traceTag: 't1' }, 'bwrap'), key);
});

test('least recently used entries leave first when the budget is spent', () => {
  const cache = new CompileCache(3 * (1000 * 5 + 1024));
  cache.set('a', result(1000));
  cache.set('b', result(1000));
  cache.set('c', result(1000));
  assert.ok(cache.get('a'));
  cache.set('d', result(1000));
  assert.equal(cache.get('b'), undefined);
  assert.ok(cache.get('a') && cache.get('c') && cache.get('d'));
});
