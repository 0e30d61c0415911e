// Needs: root and a kernel that loads BPF: probes every program kind on this host for real.
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
import { capabilitiesCachePath, probeCapabilities } from './capabilities.ts';
import { explainMissingCapability } from './capability-notes.ts';

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

  before(async () => {
    const base = loadConfig();
    // The toolchain's vmlinux.h stays in the usual cache; the capabilities go to a fresh dir, so the probe really runs.
    toolchain = await findToolchain(base.cacheDir);
    cacheDir = mkdtempSync(path.join(tmpdir(), 'capabilities-test-'));
    config = { ...base, cacheDir };
    capabilities = await probeCapabilities(config, toolchain);
  });
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  const get = (section: string) => {
    const found = capabilities.find((c) => c.section === section);
    assert.ok(found, `no capability for ${section}`);
    return found;
  };

  test('probes every kind', () => {
    assert.deepEqual(
      capabilities.map((c) => c.section),
      ['tracepoint', 'raw_tp', 'tp_btf', 'kprobe', 'uprobe', 'fentry', 'lsm', 'iter', 'xdp', 'socket', 'perf_event'],
    );
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
    for (const section of ['xdp', 'socket', 'iter']) {
      const c = get(section);
      assert.equal(c.attaches, null, section);
      assert.ok(c.note && c.note.length > 20, section);
    }
    assert.equal(get('xdp').note, 'xdp programs need a network interface to attach to; the playground does not attach them.');
  });

  test('a kind that works here has nothing to explain', () => {
    assert.equal(explainMissingCapability('tracepoint/syscalls/sys_enter_execve', capabilities), null);
    assert.equal(explainMissingCapability('tp/sched/sched_process_exec', capabilities), null);
    // A perf_event program is attached to the CPU clock: no hardware counter needed, so it works on this VM.
    assert.deepEqual([get('perf_event').loads, get('perf_event').attaches], [true, true]);
    assert.equal(explainMissingCapability('perf_event', capabilities), null);
  });

  test('the leftover check sees a live program of ours', async (t) => {
    const content =
      '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("raw_tp/sys_enter") int pgcap_check(void *ctx) { return 0; }\nchar LICENSE[] SEC("license") = "GPL";\n';
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

  test('a second call returns the cached result, read from its file', async () => {
    const file = capabilitiesCachePath(config, toolchain);
    assert.ok(existsSync(file), file);
    assert.ok(path.basename(file).startsWith(`capabilities-${execFileSync('uname', ['-r']).toString().trim()}-`));
    assert.deepEqual(await probeCapabilities(config, toolchain), capabilities);

    // And it really is the file that answers.
    const cached = JSON.parse(readFileSync(file, 'utf8'));
    cached.capabilities[0].note = 'read from the cache';
    writeFileSync(file, JSON.stringify(cached));
    assert.equal((await probeCapabilities(config, toolchain))[0]!.note, 'read from the cache');
  });
});
