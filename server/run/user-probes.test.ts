import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUserProbeSection } from '../../protocol/run.ts';
import { planUserProbes, type ProbeHost } from './user-probes.ts';

const HOST: ProbeHost = { sandbox: 'host', target: '/srv/playground/native/build/playground-target' };
const VM: ProbeHost = { sandbox: 'vm', target: '/opt/playground/playground-target' };
const p = (name: string, section: string) => ({ name, section });

test('on the host, probes of the target program attach in its process only; /proc/self/exe names it', () => {
  const decision = planUserProbes(
    [
      p('add', 'uprobe//proc/self/exe:playground_add'),
      p('ret', `uretprobe/${HOST.target}:playground_add`),
      p('tick', 'usdt//proc/self/exe:playground:tick'),
      p('exec', 'tp/syscalls/sys_enter_execve'),
    ],
    undefined,
    HOST,
  );
  assert.deepEqual(decision.refused, []);
  assert.deepEqual(decision.plans, [
    { program: 'add', kind: 'uprobe', binary: 'target', functionName: 'playground_add', retprobe: false, pid: 'target' },
    { program: 'ret', kind: 'uprobe', binary: 'target', functionName: 'playground_add', retprobe: true, pid: 'target' },
    { program: 'tick', kind: 'usdt', binary: 'target', provider: 'playground', name: 'tick', pid: 'target' },
  ]);
});

test('on the host, a uprobe on any other binary, a chosen pid or uprobe.multi is refused with its reason', () => {
  const { plans, refused } = planUserProbes(
    [p('ssl', 'uprobe//usr/lib/x86_64-linux-gnu/libssl.so.3:SSL_write'), p('many', 'uprobe.multi//proc/self/exe:playground_*')],
    undefined,
    HOST,
  );
  assert.deepEqual(plans, []);
  assert.match(refused[0]!.message, /may only watch the playground's target program .*libssl\.so\.3 they would see other users' processes\. Pick a VM kernel/);
  assert.match(refused[1]!.message, /uprobe\.multi programs are not attached here/);
  const withPid = planUserProbes([p('add', 'uprobe//proc/self/exe:playground_add')], { pid: 1 }, HOST);
  assert.match(withPid.refused[0]!.message, /a pid cannot be chosen; pick a VM kernel/);
});

test('a bare SEC("uprobe") or SEC("usdt") takes its function and binary from the settings, and says so when there is none', () => {
  const bare = [p('up', 'uprobe'), p('probe', 'usdt')];
  assert.deepEqual(planUserProbes(bare, { function: 'playground_greet' }, HOST).plans[0], {
    program: 'up',
    kind: 'uprobe',
    binary: 'target',
    functionName: 'playground_greet',
    retprobe: false,
    pid: 'target',
  });
  const none = planUserProbes(bare, undefined, HOST).refused.map((r) => r.message);
  assert.deepEqual(none, [
    'SEC("uprobe") names no function: give one in the attach settings, or write it in the section as SEC("uprobe//path:function").',
    'SEC("usdt") names no probe (provider:name): give one in the attach settings, or write it in the section as SEC("usdt//path:provider:name").',
  ]);
});

test('in a VM any binary may be probed, in every process or the chosen one', () => {
  const libc = p('exec', 'uprobe//lib/x86_64-linux-gnu/libc.so.6:execve');
  assert.deepEqual(planUserProbes([libc], undefined, VM).plans[0], {
    program: 'exec',
    kind: 'uprobe',
    binary: '/lib/x86_64-linux-gnu/libc.so.6',
    functionName: 'execve',
    retprobe: false,
    pid: -1,
  });
  assert.equal(planUserProbes([libc], { pid: 42 }, VM).plans[0]!.pid, 42);
  assert.deepEqual(planUserProbes([p('up', 'uprobe')], { binary: '/usr/bin/node', function: 'uv_run' }, VM).plans[0], {
    program: 'up',
    kind: 'uprobe',
    binary: '/usr/bin/node',
    functionName: 'uv_run',
    retprobe: false,
    pid: -1,
  });
});

test('an offset or a malformed probe name is refused, never attached somewhere else', () => {
  const { refused } = planUserProbes([p('off', 'uprobe//proc/self/exe:playground_add+4'), p('half', 'usdt//proc/self/exe:tick')], undefined, VM);
  assert.match(refused[0]!.message, /offsets are not supported/);
  assert.match(refused[1]!.message, /provider:name/);
});

test('user-space probe sections are told apart from the rest', () => {
  for (const s of ['uprobe', 'uretprobe.s//bin/x:f', 'usdt', 'uprobe.multi//bin/x:f*']) assert.ok(isUserProbeSection(s), s);
  for (const s of ['kprobe/do_sys_openat2', 'tp/syscalls/sys_enter_execve', 'uprobes']) assert.ok(!isUserProbeSection(s), s);
});
