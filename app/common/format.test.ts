import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatJson, formatNumber, formatRelative, formatUptime, isNumeric } from './format.ts';

test('numbers get thousands separators, u64 strings too', () => {
  assert.equal(formatNumber(23), '23');
  assert.equal(formatNumber(1234567), '1,234,567');
  assert.equal(formatNumber('18446744073709551615'), '18,446,744,073,709,551,615');
  assert.equal(formatNumber(-4200), '-4,200');
});

test('map keys and values read like the issue asks: "execve_counter" → 23', () => {
  const charArray = { kind: 'array' as const, name: 'stringkey', size: 64, length: 64, text: true };
  const u64 = { kind: 'int' as const, name: 'u64', size: 8, signed: false };
  assert.equal(formatJson('execve_counter', charArray), '"execve_counter"');
  assert.equal(formatJson(23, u64), '23');
  assert.equal(formatJson('18446744073709551615', u64), '18,446,744,073,709,551,615');
  assert.equal(formatJson('0xffff888100000000'), '0xffff888100000000');
  assert.equal(formatJson('TASK_RUNNING', { kind: 'enum', name: 'state', size: 4 }), 'TASK_RUNNING');
  assert.equal(formatJson({ pid: 1234, bytes: 4096, comm: 'ls' }), '{ pid: 1234, bytes: 4,096, comm: "ls" }');
  assert.equal(formatJson([1, 2000]), '[1, 2,000]');
});

test('a digits-only string in a char array stays text, in an integer it is a number', () => {
  const charArray = { kind: 'array' as const, name: 'char[8]', size: 8, length: 8, text: true };
  assert.equal(formatJson('123', charArray), '"123"');
  assert.equal(isNumeric('123', charArray), false);
  assert.equal(isNumeric('123', { kind: 'int', name: 'u64', size: 8 }), true);
});

test('identifiers are names, not quantities: no separators for pids, uids, CPUs, by field name or type', () => {
  const u32 = { kind: 'int' as const, name: 'u32', size: 4, signed: false };
  assert.equal(formatJson(1785, u32, 'pid'), '1785');
  assert.equal(formatJson(1785, u32, 'parent_pid'), '1785');
  assert.equal(formatJson(1785, { kind: 'int', name: 'pid_t', size: 4, signed: true }), '1785');
  assert.equal(formatJson('18446744073709551615', { kind: 'int', name: 'u64', size: 8 }, 'cgroup_id'), '18446744073709551615');
  assert.equal(formatJson({ cpu: 1024, runs: 1024 }), '{ cpu: 1024, runs: 1,024 }');
  // A name that only contains an id word is not one.
  assert.equal(formatJson(1785, u32, 'rapid'), '1,785');
  assert.equal(formatJson(1785, u32), '1,785');
});

test('times', () => {
  assert.equal(formatRelative(1.2044), '+1.204 s');
  assert.equal(formatUptime(42), '0:42');
  assert.equal(formatUptime(3725), '1:02:05');
});
