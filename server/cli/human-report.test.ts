import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanReport } from './human-report.ts';
import { summarize } from './remote-run.ts';

const empty = () => summarize([], 0);

test('each program of a partly attached object gets its own line, a skipped one with the reason', () => {
  const report = {
    ...empty(),
    ok: true,
    changes: [
      { kind: 'map' as const, name: 'execs', message: 'execs: max_entries 10,240 → 2,048 to fit the 16 MiB per-map limit.' },
      { kind: 'program' as const, name: 'blk_start', message: 'kprobe/__blk_account_io_start: not loaded, this kernel has no such function.' },
    ],
    programs: [
      { name: 'on_exec', section: 'tp/syscalls/sys_enter_execve', type: 'tracepoint', instructions: 9, attached: true },
      {
        name: 'blk_start',
        section: 'kprobe/__blk_account_io_start',
        type: 'kprobe',
        instructions: 4,
        attached: false,
        notLoaded: 'kprobe/__blk_account_io_start: not loaded, this kernel has no such function.',
      },
      { name: 'on_net', section: 'xdp', type: 'xdp', instructions: 2, attached: false, attachError: 'libbpf cannot auto-attach programs in section xdp' },
      { name: 'profile', section: 'perf_event', type: 'perf_event', instructions: 6, attached: true, cpus: 2 },
    ],
  };
  const lines = humanReport(report).split('\n');
  assert.ok(lines.includes('changed: execs: max_entries 10,240 → 2,048 to fit the 16 MiB per-map limit.'));
  assert.ok(!lines.some((l) => l.startsWith('changed: kprobe/')), 'a left-out program is said once, in its own line');
  const at = lines.indexOf('programs: 2 of 4 attached');
  assert.ok(at >= 0, lines.join('\n'));
  assert.deepEqual(lines.slice(at + 1, at + 5), [
    '  attached     on_exec (tp/syscalls/sys_enter_execve)',
    '  skipped      blk_start (kprobe/__blk_account_io_start): not loaded, this kernel has no such function.',
    '  not attached on_net (xdp): libbpf cannot auto-attach programs in section xdp',
    '  attached     profile (perf_event), sampling the CPU clock of 2 CPUs',
  ]);
});

test('one program that attached needs no list', () => {
  const report = {
    ...empty(),
    ok: true,
    programs: [{ name: 'hello', section: 'tp/syscalls/sys_enter_execve', type: 'tracepoint', instructions: 9, attached: true }],
  };
  assert.ok(!humanReport(report).includes('programs:'));
});
