import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Capability } from '../../protocol/messages.ts';
import type { MapInfo, ProgramInfo } from '../../native/index.ts';
import { loadConfig } from '../config.ts';
import { choosePrograms, fitMaps, programTarget, targetsToFind } from './fit-object.ts';

const policy = loadConfig({}).policy;

function map(name: string, typeName: string, keySize: number, valueSize: number, maxEntries: number): MapInfo {
  return {
    name,
    kernelName: name,
    type: 1,
    typeName,
    keySize,
    valueSize,
    valueStride: valueSize,
    maxEntries,
    flags: 0,
    btfKeyTypeId: 0,
    btfValueTypeId: 0,
    id: null,
    isInternal: false,
  };
}

function program(name: string, section: string): ProgramInfo {
  return {
    name,
    section,
    type: 0,
    typeName: 'tracing',
    expectedAttachType: 0,
    insnCount: 2,
    autoload: true,
    id: null,
    verifiedInsns: null,
    verifierStats: null,
    attached: false,
  };
}

/** This host's kinds: fentry refused at load, kprobes load but never attach. */
const HOST: Capability[] = [
  { section: 'tracepoint', type: 'tracepoint', loads: true, attaches: true },
  { section: 'tp_btf', type: 'tracing', loads: true, attaches: true },
  { section: 'raw_tp', type: 'raw_tracepoint', loads: true, attaches: true },
  { section: 'kprobe', type: 'kprobe', loads: true, attaches: false, note: 'kprobes are not available on this kernel (CONFIG_KPROBES is off).' },
  {
    section: 'fentry',
    type: 'tracing',
    loads: false,
    attaches: null,
    note: 'fentry and fexit programs are refused here (the kernel does not allow the BPF trampoline they need).',
  },
];
/** A VM kernel where everything works. */
const VM: Capability[] = HOST.map((c) => ({ section: c.section, type: c.type, loads: true, attaches: true }));

describe('fitMaps', () => {
  test('a hash map over the per-map limit is shrunk to the largest power of two that fits, in one line', () => {
    const fit = fitMaps([map('execs', 'hash', 4, 7680, 10_240)], policy, 2);
    assert.deepEqual(fit.maxEntries, [{ map: 'execs', entries: 2048 }]);
    assert.deepEqual(
      fit.changes.map((c) => c.message),
      ['execs: max_entries 10,240 → 2,048 to fit the 16.0 MiB per-map limit.'],
    );
  });

  test('a map within its limits is left alone', () => {
    assert.deepEqual(fitMaps([map('counts', 'hash', 4, 8, 10_240)], policy, 2), { maxEntries: [], valueSize: [], changes: [] });
  });

  test('a stack-trace map with no value size gets 127 frames', () => {
    const fit = fitMaps([map('stacks', 'stack_trace', 4, 0, 1024)], policy, 2);
    assert.deepEqual(fit.valueSize, [{ map: 'stacks', bytes: 1016 }]);
    assert.match(fit.changes[0]!.message, /^stacks: value_size 0 → 1,016 bytes \(127 frames/);
  });

  test('arrays are never shrunk (their indexes are the program’s): the policy refuses them as before', () => {
    assert.deepEqual(fitMaps([map('slots', 'array', 4, 1 << 20, 64)], policy, 2).maxEntries, []);
  });

  test('a ring buffer over its limit is cut to the limit', () => {
    const fit = fitMaps([map('events', 'ringbuf', 0, 0, 64 << 20)], policy, 2);
    assert.deepEqual(fit.maxEntries, [{ map: 'events', entries: policy.maxRingbufBytes }]);
    assert.equal(fit.changes[0]!.message, 'events: ring buffer 64.0 MiB → 4.0 MiB to fit the 4.0 MiB limit for ring buffers.');
  });

  test('maps under their own limit but over the session’s together: the largest is halved until they fit', () => {
    const maps = Array.from({ length: 10 }, (_, i) => map(`m${i}`, 'hash', 8, 8000, 2048));
    const fit = fitMaps(maps, policy, 2);
    assert.ok(fit.changes.length > 0);
    assert.ok(
      fit.changes.every((c) => c.message.endsWith('to fit the 128.0 MiB limit per session.')),
      fit.changes.map((c) => c.message).join('\n'),
    );
  });

  test('with shrinkMaps off nothing is shrunk, and the stack depth is still filled in', () => {
    const fit = fitMaps([map('execs', 'hash', 4, 7680, 10_240), map('stacks', 'stack_trace', 4, 0, 64)], { ...policy, shrinkMaps: false }, 2);
    assert.deepEqual(fit.maxEntries, []);
    assert.equal(fit.valueSize.length, 1);
  });
});

describe('programTarget', () => {
  test('reads the target from each kind of section', () => {
    assert.deepEqual(programTarget('kprobe/vfs_read+4')?.target, { kind: 'function', name: 'vfs_read' });
    assert.deepEqual(programTarget('fexit/vfs_read')?.group, 'exit:vfs_read');
    assert.deepEqual(programTarget('tp/sched/sched_switch')?.target, { kind: 'tracepoint', name: 'sched/sched_switch' });
    assert.deepEqual(programTarget('tp_btf/sched_switch'), {
      kind: 'tp_btf',
      target: { kind: 'raw_tracepoint', name: 'sched_switch' },
      group: 'event:sched_switch',
    });
    assert.equal(programTarget('raw_tp/sched_switch')?.kind, 'raw_tp');
    assert.equal(programTarget('perf_event'), null);
  });

  test('programs already left out (SEC("?…")) are not looked up', () => {
    const off = { ...program('b', 'kprobe/b'), autoload: false };
    assert.deepEqual(
      targetsToFind([program('a', 'kprobe/a'), off]).map((t) => t.program),
      ['a'],
    );
  });
});

describe('choosePrograms', () => {
  test('a program whose function this kernel lacks is not loaded, when others remain', () => {
    const programs = [program('old', 'kprobe/__blk_account_io_start'), program('exec', 'tp/syscalls/sys_enter_execve')];
    const found = [{ program: 'old', target: { kind: 'function' as const, name: '__blk_account_io_start' }, exists: false }];
    const chosen = choosePrograms(programs, found, VM);
    assert.deepEqual(chosen.skipPrograms, ['old']);
    assert.equal(chosen.changes[0]!.message, 'kprobe/__blk_account_io_start: not loaded, this kernel has no such function.');
  });

  test('of an fentry and a kprobe variant, both where both run (the user may compare them), kprobe where fentry is refused', () => {
    const programs = [program('fast', 'fentry/vfs_read'), program('slow', 'kprobe/vfs_read')];
    assert.deepEqual(choosePrograms(programs, [], VM).skipPrograms, []);
    const onHost = choosePrograms(programs, [], HOST);
    assert.deepEqual(onHost.skipPrograms, ['fast']);
    assert.match(onHost.changes[0]!.message, /^fentry\/vfs_read: not loaded, fentry and fexit programs are refused here/);
  });

  test('on a kernel without kprobes, a kprobe gives way to its fentry variant of the same function', () => {
    const noKprobes = VM.map((c) => (c.section === 'kprobe' ? { ...c, attaches: false } : c));
    const programs = [program('entry', 'fentry/vfs_read'), program('probe', 'kprobe/vfs_read')];
    const chosen = choosePrograms(programs, [], noKprobes);
    assert.deepEqual(chosen.skipPrograms, ['probe']);
    assert.equal(chosen.changes[0]!.message, 'kprobe/vfs_read: not loaded, fentry/vfs_read does the same and runs here.');
  });

  test('never every program: an object left with nothing fails with the kernel’s own reason', () => {
    assert.deepEqual(choosePrograms([program('only', 'fentry/vfs_read')], [], HOST), { skipPrograms: [], changes: [] });
  });

  test('an unknown answer (null) loads the program as it is', () => {
    const programs = [program('a', 'kprobe/x'), program('b', 'tp/syscalls/sys_enter_execve')];
    assert.deepEqual(choosePrograms(programs, [{ program: 'a', target: { kind: 'function', name: 'x' }, exists: null }], VM).skipPrograms, []);
  });
});
