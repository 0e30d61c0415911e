import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Capability } from '../../../protocol/messages.ts';
import { capabilityWarnings, sectionKind, statusKinds } from './capabilities.ts';

// As this project's VM reported them: no kprobes, no BPF trampoline.
const HOST: Capability[] = [
  { section: 'tracepoint', type: 'tracepoint', loads: true, attaches: true },
  { section: 'raw_tp', type: 'raw_tracepoint', loads: true, attaches: true },
  { section: 'kprobe', type: 'kprobe', loads: true, attaches: false, note: 'kprobes are not available on this kernel (CONFIG_KPROBES is off).' },
  { section: 'uprobe', type: 'kprobe', loads: true, attaches: true },
  { section: 'fentry', type: 'tracing', loads: false, attaches: null, note: 'fentry and fexit programs are refused here.' },
  { section: 'xdp', type: 'xdp', loads: true, attaches: null, note: 'xdp programs need a network interface to attach to.' },
];

test('SEC names map to the probed kind, variants included', () => {
  assert.equal(sectionKind('kretprobe/do_exit'), 'kprobe');
  assert.equal(sectionKind('ksyscall/openat'), 'kprobe');
  assert.equal(sectionKind('tp/syscalls/sys_enter_openat'), 'tracepoint');
  assert.equal(sectionKind('raw_tracepoint/sys_enter'), 'raw_tp');
  assert.equal(sectionKind('fexit.s/do_exit'), 'fentry');
  assert.equal(sectionKind('uretprobe//lib/libc.so.6:getpid'), 'uprobe');
  assert.equal(sectionKind('xdp'), 'xdp');
});

test('the status bar lists the kinds the playground attaches, and those that do not load', () => {
  assert.deepEqual(
    statusKinds(HOST).map((c) => c.section),
    ['tracepoint', 'raw_tp', 'kprobe', 'uprobe', 'fentry'],
  );
});

test('a SEC of a kind that does not work here is a warning with the host note, at its line', () => {
  const source = [
    '// SEC("kprobe/in_a_comment") is not a program',
    'SEC("kretprobe/do_sys_openat2")',
    'int a(void *ctx) { return 0; }',
    'SEC("tracepoint/syscalls/sys_enter_openat")',
    'int b(void *ctx) { return 0; }',
    'SEC("fentry/do_exit") int c(void *ctx) { return 0; }',
    'char LICENSE[] SEC("license") = "GPL";',
  ].join('\n');
  const warnings = capabilityWarnings([{ name: 'prog.bpf.c', content: source }], HOST);
  assert.deepEqual(
    warnings.map((w) => [w.line, w.section, w.kind]),
    [
      [2, 'kretprobe/do_sys_openat2', 'kprobe'],
      [6, 'fentry/do_exit', 'fentry'],
    ],
  );
  assert.match(warnings[0]!.note, /CONFIG_KPROBES/);
  assert.deepEqual(capabilityWarnings([{ name: 'p.c', content: source }], []), [], 'no probe yet, no warning');
});
