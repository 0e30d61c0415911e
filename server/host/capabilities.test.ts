import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Capability } from '../../protocol/messages.ts';
import { loadConfig, type Config } from '../config.ts';
import { compile } from '../compile/compiler.ts';
import { findToolchain, type Toolchain } from '../compile/toolchain.ts';
import { Runner } from '../runner/runner.ts';
import {
  capabilitiesCachePath,
  explainMissingCapability,
  findUprobeTarget,
  noteFor,
  probeCapabilities,
  sectionKind,
  type HostFacts,
  type ProbeOutcome,
} from './capabilities.ts';

const BPFTOOL = existsSync('/usr/sbin/bpftool') ? '/usr/sbin/bpftool' : 'bpftool';

function ourPrograms(): string[] {
  const programs = JSON.parse(execFileSync(BPFTOOL, ['-j', 'prog', 'show']).toString()) as { name?: string }[];
  return programs.map((p) => p.name ?? '').filter((name) => name.startsWith('pgcap_'));
}

describe('probeCapabilities, on this host for real', () => {
  let config: Config;
  let toolchain: Toolchain;
  let cacheDir: string;
  let capabilities: Capability[];
  let probeMs: number;

  before(async () => {
    const base = loadConfig();
    // The toolchain's vmlinux.h stays in the usual cache; the capabilities go to a fresh dir, so the probe really runs.
    toolchain = await findToolchain(base.cacheDir);
    cacheDir = mkdtempSync(path.join(tmpdir(), 'capabilities-test-'));
    config = { ...base, cacheDir };
    const started = performance.now();
    capabilities = await probeCapabilities(config, toolchain);
    probeMs = performance.now() - started;
  });
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  const get = (section: string) => {
    const found = capabilities.find((c) => c.section === section);
    assert.ok(found, `no capability for ${section}`);
    return found;
  };

  test('probes every kind, within a few seconds', () => {
    assert.deepEqual(
      capabilities.map((c) => c.section),
      ['tracepoint', 'raw_tp', 'tp_btf', 'kprobe', 'uprobe', 'fentry', 'lsm', 'iter', 'xdp', 'socket', 'perf_event'],
    );
    assert.ok(probeMs < 10_000, `the probe took ${Math.round(probeMs)} ms`);
  });

  test('tracepoints, raw tracepoints and uprobes load and attach', () => {
    for (const section of ['tracepoint', 'raw_tp', 'uprobe']) {
      const c = get(section);
      assert.equal(c.loads, true, `${section}: ${c.note}`);
      assert.equal(c.attaches, true, `${section}: ${c.note}`);
      assert.equal(c.note, undefined);
    }
    assert.equal(get('tracepoint').type, 'tracepoint');
    assert.equal(get('raw_tp').type, 'raw_tracepoint');
  });

  test('kprobes do not attach where the kernel has none', { skip: existsSync('/sys/kernel/tracing/kprobe_events') && 'this kernel has kprobes' }, () => {
    const kprobe = get('kprobe');
    assert.equal(kprobe.loads, true);
    assert.equal(kprobe.attaches, false);
    assert.match(kprobe.note ?? '', /^kprobes are not available on this kernel/);
    assert.match(kprobe.note ?? '', /tracepoint\/syscalls\/sys_enter_openat/);
    assert.equal(explainMissingCapability('kprobe/do_unlinkat', capabilities), kprobe.note);
    assert.equal(explainMissingCapability('kretprobe/do_unlinkat', capabilities), kprobe.note);
  });

  test('fentry: where the kernel refuses it, the note says so', () => {
    const fentry = get('fentry');
    // A kernel that allows the trampoline passes: then it simply works.
    if (fentry.loads) {
      assert.equal(fentry.attaches, true, fentry.note);
      return;
    }
    assert.equal(fentry.attaches, null);
    assert.match(fentry.note ?? '', /^fentry and fexit programs /);
    assert.doesNotMatch(fentry.note ?? '', /ulimit/, "libbpf's guess about ulimit -l is not passed on");
    assert.equal(explainMissingCapability('fexit/do_unlinkat', capabilities), fentry.note);
  });

  test('kinds the playground does not attach have attaches null and say why', () => {
    for (const section of ['xdp', 'socket', 'perf_event', 'iter']) {
      const c = get(section);
      assert.equal(c.attaches, null, section);
      assert.ok(c.note && c.note.length > 20, section);
    }
    assert.equal(get('xdp').note, 'xdp programs need a network interface to attach to; the playground does not attach them.');
  });

  test('a kind that works here has nothing to explain', () => {
    assert.equal(explainMissingCapability('tracepoint/syscalls/sys_enter_execve', capabilities), null);
    assert.equal(explainMissingCapability('tp/sched/sched_process_exec', capabilities), null);
  });

  test('the leftover check sees a live program of ours', async (t) => {
    const content = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("raw_tp/sys_enter") int pgcap_check(void *ctx) { return 0; }\nchar LICENSE[] SEC("license") = "GPL";\n';
    const compiled = await compile(config, toolchain, [{ name: 'pgcap_check.bpf.c', content }], { traceTag: '' });
    assert.equal(compiled.ok, true, compiled.log);
    const runner = new Runner();
    t.after(() => runner.kill());
    await runner.call('open', { object: compiled.object!, name: 'pgcap' });
    await runner.call('load', {});
    assert.ok(ourPrograms().includes('pgcap_check'));
  });

  test('nothing of the probe stays loaded', async () => {
    // The runner was waited for; the kernel frees its programs after an RCU grace period.
    let left = ourPrograms().filter((name) => name !== 'pgcap_check');
    for (let i = 0; i < 20 && left.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = ourPrograms().filter((name) => name !== 'pgcap_check');
    }
    assert.deepEqual(left, []);
  });

  test('a second call returns the cached result at once', async () => {
    const file = capabilitiesCachePath(config, toolchain);
    assert.ok(existsSync(file), file);
    assert.ok(path.basename(file).startsWith(`capabilities-${execFileSync('uname', ['-r']).toString().trim()}-`));
    const started = performance.now();
    assert.deepEqual(await probeCapabilities(config, toolchain), capabilities);
    assert.ok(performance.now() - started < 200);

    // And it really is the file that answers.
    const cached = JSON.parse(readFileSync(file, 'utf8'));
    cached.capabilities[0].note = 'read from the cache';
    writeFileSync(file, JSON.stringify(cached));
    assert.equal((await probeCapabilities(config, toolchain))[0]!.note, 'read from the cache');
  });
});

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
    assert.match(noteFor(lsm, working, { ...facts, lsms: ['capability', 'landlock', 'yama'] })!, /the BPF LSM is not active .*capability,landlock,yama, without bpf/);
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
