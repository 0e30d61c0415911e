// Needs: nothing (no root, no kernel): the notes and section kinds, from outcomes and texts written here.
// The real probe of this host is in capabilities.kernel.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findUprobeTarget, type HostFacts } from './capabilities.ts';
import { explainMissingCapability, noteFor, sectionKind, type ProbeOutcome } from './capability-notes.ts';

describe('notes, from what libbpf and the kernel said on this project’s VM', () => {
  const facts: HostFacts = { kprobes: false, uprobes: true, tracefs: true, lsms: null, kprobeTargetExists: true };
  const ok = (kind: ProbeOutcome['kind']): ProbeOutcome => ({ kind, section: kind, type: 'x', loads: true, attaches: true });
  const working = [ok('tracepoint'), ok('raw_tp'), ok('tp_btf')];

  const fentryEperm: ProbeOutcome = {
    kind: 'fentry',
    section: 'fentry',
    type: 'tracing',
    loads: false,
    attaches: null,
    failure: {
      stage: 'load',
      errno: 1,
      code: 'EPERM',
      message: 'load failed: Operation not permitted',
      log: "libbpf: prog 'pgcap_fentry': BPF program load failed: Operation not permitted\nlibbpf: permission error while running as root; try raising 'ulimit -l'? current value: 8.0 MiB\nlibbpf: prog 'pgcap_fentry': failed to load: -1\n",
    },
  };

  test('fentry refused at load: the trampoline, and only alternatives that work here', () => {
    assert.equal(
      noteFor(fentryEperm, [...working, fentryEperm], facts),
      'fentry and fexit programs are refused here (the kernel does not allow the BPF trampoline they need); try tp_btf/sys_enter or a tracepoint such as tracepoint/syscalls/sys_enter_openat instead.',
    );
    // Where tp_btf failed too, it is not offered.
    const tpBtfFailed: ProbeOutcome = { ...ok('tp_btf'), attaches: false };
    assert.equal(
      noteFor(fentryEperm, [ok('tracepoint'), tpBtfFailed, fentryEperm], facts),
      'fentry and fexit programs are refused here (the kernel does not allow the BPF trampoline they need); try a tracepoint such as tracepoint/syscalls/sys_enter_openat instead.',
    );
  });

  test('a function missing from the kernel BTF is named', () => {
    const missing: ProbeOutcome = {
      ...fentryEperm,
      failure: {
        stage: 'load',
        errno: 3,
        code: 'ESRCH',
        message: 'load failed: No such process',
        log: "libbpf: prog 'pgcap_fentry': failed to find kernel BTF type ID of 'do_sys_openat2': -3\n",
      },
    };
    assert.match(noteFor(missing, working, facts)!, /^Fentry and fexit programs could not be tried: the function do_sys_openat2 is not in this kernel's BTF/);
  });

  test('kprobe attach ENOENT: no kprobes in the kernel, or only the function missing', () => {
    const kprobe: ProbeOutcome = {
      kind: 'kprobe',
      section: 'kprobe',
      type: 'kprobe',
      loads: true,
      attaches: false,
      failure: {
        stage: 'attach',
        errno: 2,
        code: 'ENOENT',
        message: 'attach failed: No such file or directory',
        log: "libbpf: failed to add legacy kprobe event for 'do_sys_openat2+0x0': No such file or directory\n",
      },
    };
    assert.equal(
      noteFor(kprobe, working, facts),
      'kprobes are not available on this kernel (CONFIG_KPROBES is off); try a tracepoint such as tracepoint/syscalls/sys_enter_openat or raw_tp/sys_enter instead.',
    );
    assert.match(noteFor(kprobe, working, { ...facts, kprobes: true, kprobeTargetExists: false })!, /the function do_sys_openat2 is not in this kernel/);
  });

  test('LSM refused while the BPF LSM is not in the boot list', () => {
    const lsm: ProbeOutcome = { ...fentryEperm, kind: 'lsm', section: 'lsm', type: 'lsm' };
    assert.match(
      noteFor(lsm, working, { ...facts, lsms: ['capability', 'landlock', 'yama'] })!,
      /the BPF LSM is not active .*capability,landlock,yama, without bpf/,
    );
    assert.match(noteFor(lsm, [...working, fentryEperm], facts)!, /^LSM programs are refused here \(the kernel does not allow the BPF trampoline/);
  });

  test('working kinds have no note', () => {
    assert.equal(noteFor(ok('tracepoint'), working, facts), undefined);
  });
});

describe('sections and uprobe targets', () => {
  test("a SEC() string maps to its kind by libbpf's prefixes", () => {
    const cases: [string, string | null][] = [
      ['kprobe/do_unlinkat', 'kprobe'],
      ['kretprobe/do_unlinkat', 'kprobe'],
      ['ksyscall/openat', 'kprobe'],
      ['uretprobe//bin/bash:readline', 'uprobe'],
      ['tp/syscalls/sys_enter_openat', 'tracepoint'],
      ['raw_tracepoint/sched_switch', 'raw_tp'],
      ['tp_btf/sched_switch', 'tp_btf'],
      ['fexit/do_unlinkat', 'fentry'],
      ['fmod_ret/security_file_open', 'fentry'],
      ['lsm.s/file_open', 'lsm'],
      ['iter/task', 'iter'],
      ['xdp.frags', 'xdp'],
      ['socket', 'socket'],
      ['perf_event', 'perf_event'],
      ['tracepointx/foo', null],
      ['license', null],
    ];
    for (const [section, kind] of cases) assert.equal(sectionKind(section), kind, section);
    assert.equal(explainMissingCapability('license', [{ section: 'kprobe', type: 'kprobe', loads: false, attaches: null, note: 'n' }]), null);
  });

  test('libc is found from the process maps, wherever the distribution puts it', () => {
    const maps = [
      '55d0c0a00000-55d0c0a01000 r--p 00000000 fe:00 1234   /usr/bin/node',
      '7fe68278a000-7fe6827b0000 r--p 00000000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6',
    ].join('\n');
    assert.equal(findUprobeTarget(maps), '/usr/lib/x86_64-linux-gnu/libc.so.6:getpid');
    assert.equal(findUprobeTarget('7f0 r-xp 0 fe:00 1 /lib/ld-musl-x86_64.so.1'), '/lib/ld-musl-x86_64.so.1:getpid');
    assert.match(findUprobeTarget(''), /:napi_create_object$/);
  });
});
