// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// Bad inputs from the safety issue: each gets one clear sentence and harms nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../config.ts';
import type { Backend } from '../backend.ts';
import { runRemote, type RemoteRunReport } from '../cli/remote-run.ts';
import { startTestBackend } from './harness.ts';

let backend: Backend;
before(async () => {
  backend = await startTestBackend();
});
after(() => backend.close());

const HEADERS = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n';
const LICENSE = '\nchar LICENSE[] SEC("license") = "GPL";\n';

function tracepoint(body: string, extra = ''): string {
  return `${HEADERS}${extra}
SEC("tracepoint/syscalls/sys_enter_execve")
int prog(void *ctx)
{
${body}
	return 0;
}
${LICENSE}`;
}

function run(content: string, name = 'bad.bpf.c'): Promise<RemoteRunReport> {
  return runRemote({ server: backend.url, files: [{ name, content }], seeds: [], seconds: 0 });
}

function assertRefused(report: RemoteRunReport, stage: string, code: string, message: RegExp): void {
  assert.equal(report.ok, false);
  assert.equal(report.stage, stage, `${report.stage}: ${report.error?.message}`);
  assert.equal(report.error?.code, code, report.error?.message);
  assert.match(report.error?.message ?? '', message);
}

describe('host files never reach the compile', () => {
  // Files that exist on every machine and checkout, so "file not found" can only be the jail's
  // doing: system files, the repo's own package.json, and one this test writes (a header the
  // compile would stop at with its marker, were it reachable).
  const marker = `HOST-FILE-${randomBytes(4).toString('hex')}`;
  const hostDir = mkdtempSync(path.join(tmpdir(), 'bad-input-host-'));
  const hostHeader = path.join(hostDir, 'host-secret.h');
  writeFileSync(hostHeader, `#error ${marker}\n`);
  after(() => rmSync(hostDir, { recursive: true, force: true }));
  // [as the test names it, what the source includes, the file on the host]
  const cases: [string, string, string][] = [
    ['/etc/shadow', '/etc/shadow', '/etc/shadow'],
    ['/etc/passwd', '/etc/passwd', '/etc/passwd'],
    ['<the repo>/package.json', path.join(ROOT, 'package.json'), path.join(ROOT, 'package.json')],
    ['package.json', 'package.json', path.join(ROOT, 'package.json')],
    ["<a header in the host's temp dir>", hostHeader, hostHeader],
  ];
  for (const [name, include, onHost] of cases) {
    test(`#include "${name}" is file not found`, async () => {
      assert.ok(existsSync(onHost), `${onHost} should exist on the host, or this test proves nothing`);
      const report = await run(`#include "${include}"\n${tracepoint('')}`);
      assertRefused(report, 'compile', 'compile_failed', /file not found/);
      assert.doesNotMatch(report.compileLog, new RegExp(`root:|"name"|${marker}`));
    });
  }

  test('an include spelled across line continuations still finds nothing', async () => {
    const report = await run(`#inc\\\nlude "/etc/sha\\\ndow"\n${tracepoint('')}`);
    assertRefused(report, 'compile', 'compile_failed', /'\/etc\/shadow' file not found/);
  });

  test("/proc/self/environ is the jail's own, empty environment", async () => {
    process.env.PLAYGROUND_TEST_SECRET = 'do-not-leak-4711';
    try {
      const report = await run(`const char env[] = {\n#include "/proc/self/environ"\n};\n${tracepoint('')}`);
      assert.doesNotMatch(JSON.stringify(report), /do-not-leak-4711/);
    } finally {
      delete process.env.PLAYGROUND_TEST_SECRET;
    }
  });

  test('#include "/dev/zero" reads nothing and does not hang', async () => {
    const report = await run(`#include "/dev/zero"\n${tracepoint('')}`);
    assert.equal(report.ok, true, report.error?.message);
  });

  test('.incbin "/dev/zero" ends in the file-size limit, not a hang', async () => {
    const report = await run(`asm(".incbin \\"/dev/zero\\"");\n${tracepoint('')}`);
    assertRefused(report, 'compile', 'compile_failed', /file-size limit|time limit|memory/);
  });

  test('.incbin of a host file finds nothing', async () => {
    const report = await run(`asm(".incbin \\"/etc/passwd\\"");\n${tracepoint('')}`);
    assertRefused(report, 'compile', 'compile_failed', /could not find incbin file/i);
  });
});

describe('compile-time resource limits', () => {
  test("a header that includes itself stops at clang's nesting limit", async () => {
    const report = await runRemote({
      server: backend.url,
      files: [
        { name: 'main.bpf.c', content: `#include "loop.h"\n${tracepoint('')}` },
        { name: 'loop.h', content: '#include "loop.h"\n' },
      ],
      seeds: [],
      seconds: 0,
    });
    assertRefused(report, 'compile', 'compile_failed', /nested too deeply/);
  });

  test('a 64 MB initialised global array is stopped by the file-size limit', async () => {
    const report = await run(tracepoint('\tbig[0]++;', 'char big[64 << 20] = { 1 };\n'));
    assertRefused(report, 'compile', 'compile_failed', /grew past the file-size limit \(16 MiB\)/);
  });

  test('a 64 MB zeroed global array is refused by the map memory policy', async () => {
    const report = await run(tracepoint('\tbig[0]++;', 'char big[64 << 20];\n'));
    assertRefused(report, 'load', 'policy_denied', /Map \.bss would take about 64\.0 MiB .* the limit per map is 16\.0 MiB/);
  });

  test('source over the size cap is refused before compiling', async () => {
    const report = await run(tracepoint('', `/*${'x'.repeat(70 * 1024)}*/`));
    assertRefused(report, 'compile', 'bad_request', /\.c is 70\.\d KB; the limit is 64 KB for all files together\./);
  });

  test('100,000 warnings are cut at the output limit, and the cut is counted', async () => {
    // Ten lines of macros expand to 10^5 `#pragma GCC warning`s.
    const flood = ['#define W0 _Pragma("GCC warning \\"flood\\"")']
      .concat([1, 2, 3, 4, 5].map((n) => `#define W${n} W${n - 1} W${n - 1} W${n - 1} W${n - 1} W${n - 1} W${n - 1} W${n - 1} W${n - 1} W${n - 1} W${n - 1}`))
      .concat('W5')
      .join('\n');
    const report = await run(tracepoint('', `${flood}\n`));
    assert.match(report.compileLog, /… \d+ more bytes of compiler output were cut \(the limit is 262144 bytes\)/);
    assert.ok(report.diagnostics.length > 100, `${report.diagnostics.length} diagnostics`);
  });
});

describe("the verifier's limits come back as its log", () => {
  test('while (1) {} is rejected as an infinite loop', async () => {
    const report = await run(tracepoint('\tvolatile int x = 0;\n\twhile (1) { x++; }'));
    assertRefused(report, 'load', 'verifier_rejected', /verifier/);
    assert.match(report.verifierLog ?? '', /infinite loop|back-edge|BPF program is too large/);
  });

  test('a program past 1M processed instructions is rejected', async () => {
    const body = `	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&m, &k);
	if (!v)
		return 0;
	__u64 sum = 0;
	for (int i = 0; i < 1000000; i++)
		sum += *v ^ i;
	*v = sum;`;
    const maps = 'struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } m SEC(".maps");\n';
    const report = await run(tracepoint(body, maps));
    assertRefused(report, 'load', 'verifier_rejected', /verifier/);
    assert.match(report.verifierLog ?? '', /BPF program is too large|processed 1000001 insns/);
  });
});

describe('the load policy refuses before the kernel sees anything', () => {
  test('a hash map with max_entries 1e9 is shrunk to fit, as a tool’s loader would, and said', async () => {
    const maps = 'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1000000000); __type(key, __u32); __type(value, __u64); } huge SEC(".maps");\n';
    const report = await run(tracepoint('\t__u32 k = 0;\n\tbpf_map_lookup_elem(&huge, &k);', maps));
    assert.equal(report.ok, true, report.error?.message);
    assert.deepEqual(
      report.changes.map((c) => c.message),
      ['huge: max_entries 1,000,000,000 → 262,144 to fit the 16.0 MiB per-map limit.'],
    );
  });

  test('an array of 1e9 entries is refused: its indexes are the program’s, so it is not shrunk', async () => {
    const maps = 'struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1000000000); __type(key, __u32); __type(value, __u64); } huge SEC(".maps");\n';
    const report = await run(tracepoint('\t__u32 k = 0;\n\tbpf_map_lookup_elem(&huge, &k);', maps));
    assertRefused(report, 'load', 'policy_denied', /Map huge would take about .* GiB .*max_entries 1,000,000,000.*the limit per map is 16\.0 MiB/);
  });

  test('a 1 GiB ring buffer is cut to the limit, and said', async () => {
    const maps = 'struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 30); } rb SEC(".maps");\n';
    const report = await run(tracepoint('\tbpf_ringbuf_output(&rb, &ctx, 8, 0);', maps));
    assert.equal(report.ok, true, report.error?.message);
    assert.deepEqual(
      report.changes.map((c) => c.message),
      ['rb: ring buffer 1.0 GiB → 4.0 MiB to fit the 4.0 MiB limit for ring buffers.'],
    );
  });

  test('bpf_send_signal(9)', async () => {
    const report = await run(tracepoint('\tbpf_send_signal(9);'));
    assertRefused(report, 'load', 'policy_denied', /Program prog calls bpf_send_signal, which the playground does not allow/);
    // The refusal is its own message, rule by rule, not a compile error pinned to line 1.
    assert.deepEqual(
      report.refused?.map((v) => v.rule),
      ['helper'],
    );
    assert.equal(report.diagnostics.length, 0, 'no compile diagnostics for a policy refusal');
  });

  test('bpf_override_return', async () => {
    const content = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(deny_open)
{
	bpf_override_return(ctx, -1);
	return 0;
}
${LICENSE}`;
    const report = await run(content);
    assertRefused(report, 'load', 'policy_denied', /calls bpf_override_return/);
  });

  test('an xdp program while networking is off', async () => {
    const report = await run(`${HEADERS}\nSEC("xdp")\nint pass(struct xdp_md *ctx) { return XDP_PASS; }\n${LICENSE}`);
    assertRefused(report, 'load', 'policy_denied', /Program pass \(SEC\("xdp"\)\) is a xdp program; this playground allows tracepoint/);
  });

  test('an lsm program', async () => {
    const content = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
SEC("lsm/file_open")
int BPF_PROG(check_open, struct file *file)
{
	return 0;
}
${LICENSE}`;
    const report = await run(content);
    assertRefused(report, 'load', 'policy_denied', /is a lsm program/);
  });

  test('map pinning', async () => {
    const maps =
      'struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); __uint(pinning, LIBBPF_PIN_BY_NAME); } shared SEC(".maps");\n';
    const report = await run(tracepoint('\t__u32 k = 0;\n\tbpf_map_lookup_elem(&shared, &k);', maps));
    assertRefused(report, 'load', 'policy_denied', /Map shared asks to be pinned/);
  });

  test("a denied kfunc (bpf_send_signal_task), which libbpf's open no longer marks extern", async () => {
    const content = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, __u64 value) __ksym;
SEC("tp_btf/sched_switch")
int signal_next(__u64 *ctx)
{
	bpf_send_signal_task((struct task_struct *)ctx[2], 0, PIDTYPE_PID, 0);
	return 0;
}
${LICENSE}`;
    const report = await run(content);
    assertRefused(
      report,
      'load',
      'policy_denied',
      /^The object calls the kfunc bpf_send_signal_task, which the playground does not allow: it can affect the host beyond tracing\.$/,
    );
  });
});

describe('a map the kernel refuses is named, and not taken for a verifier verdict', () => {
  test('a stack_trace map with no value_size gets the kernel’s default depth, and says so', async () => {
    const maps = 'struct {\n\t__uint(type, BPF_MAP_TYPE_STACK_TRACE);\n\t__uint(max_entries, 128);\n\t__type(key, __u32);\n} stacks SEC(".maps");\n';
    const report = await run(tracepoint('\tbpf_get_stackid(ctx, &stacks, 0);', maps));
    assert.equal(report.ok, true, report.error?.message);
    assert.match(report.changes[0]?.message ?? '', /^stacks: value_size 0 → 1,016 bytes/);
  });
});

describe('an operator who turns map shrinking off', () => {
  let strict: Backend;
  before(async () => {
    strict = await startTestBackend((config) => {
      config.policy.shrinkMaps = false;
    });
  });
  after(() => strict.close());

  test('gets today’s strict refusal of an oversized hash map', async () => {
    const maps = 'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1000000000); __type(key, __u32); __type(value, __u64); } huge SEC(".maps");\n';
    const content = tracepoint('\t__u32 k = 0;\n\tbpf_map_lookup_elem(&huge, &k);', maps);
    const report = await runRemote({ server: strict.url, files: [{ name: 'bad.bpf.c', content }], seeds: [], seconds: 0 });
    assertRefused(report, 'load', 'policy_denied', /Map huge would take about .* GiB .*max_entries 1,000,000,000.*the limit per map is 16\.0 MiB/);
    assert.deepEqual(report.changes, []);
  });
});

describe('what this kernel cannot do is said plainly', () => {
  const core = (section: string, macro: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
SEC("${section}")
int ${macro}(probe)
{
	return 0;
}
${LICENSE}`;

  test('a kprobe loads but cannot attach without kprobes', { skip: existsSync('/sys/kernel/tracing/kprobe_events') && 'this kernel has kprobes' }, async () => {
    const report = await run(core('kprobe/do_sys_openat2', 'BPF_KPROBE'));
    assertRefused(
      report,
      'attach',
      'attach_failed',
      /No program could be attached: probe: kprobes are not available on this kernel \(CONFIG_KPROBES is off\); try a tracepoint/,
    );
  });

  test('an fentry program is refused with the reason', async () => {
    const report = await run(core('fentry/do_sys_openat2', 'BPF_PROG'));
    if (report.ok) return; // A kernel that allows trampolines runs it: nothing to explain.
    assertRefused(
      report,
      'load',
      'load_failed',
      /fentry and fexit programs are refused here \(the kernel does not allow the BPF trampoline they need\); try tp_btf/,
    );
  });

  test('a function this kernel does not have is named', async () => {
    const report = await run(core('tp_btf/no_such_tracepoint_here', 'BPF_PROG'));
    assertRefused(report, 'load', 'load_failed', /no_such_tracepoint_here/);
  });
});
