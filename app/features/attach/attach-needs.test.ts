import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachNeeds, settingsToSend } from './attach-needs.ts';

const file = (content: string) => [{ name: 'prog.bpf.c', content }];

test('the settings asked for follow the programs in the source, not the comments', () => {
  assert.deepEqual(attachNeeds(file('SEC("tp/syscalls/sys_enter_execve")\n// SEC("uprobe")\n')), {
    perfEvent: false,
    userProbes: false,
    bareUprobe: false,
    bareUsdt: false,
  });
  assert.deepEqual(attachNeeds(file('SEC("perf_event")\nSEC("uprobe//proc/self/exe:playground_add")\n')), {
    perfEvent: true,
    userProbes: true,
    bareUprobe: false,
    bareUsdt: false,
  });
  assert.deepEqual(attachNeeds(file('SEC("uretprobe.s")\nSEC("usdt")\n')), { perfEvent: false, userProbes: true, bareUprobe: true, bareUsdt: true });
});

test('a Run sends only the settings its programs use; on the host, never a binary or a pid', () => {
  const settings = { perfEvent: 'cycles' as const, binary: ' /usr/bin/node ', function: 'uv_run', pid: 42 };
  const needs = attachNeeds(file('SEC("uprobe")\n'));
  assert.deepEqual(settingsToSend(settings, needs, 'vm'), { binary: '/usr/bin/node', function: 'uv_run', pid: 42 });
  assert.deepEqual(settingsToSend(settings, needs, 'host'), { function: 'uv_run' });
  assert.equal(settingsToSend({ perfEvent: 'cpu-clock' }, attachNeeds(file('SEC("perf_event")\n')), 'host'), undefined);
});
