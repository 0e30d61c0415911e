// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../config.ts';
import type { Backend } from '../backend.ts';
import { applyMapDelta, type MapEntry } from '../../protocol/messages.ts';
import { PlaygroundConnection } from '../cli/connection.ts';
import { runRemote } from '../cli/remote-run.ts';
import { helloSource, loadedProgramNames, pidsHoldingProgram, startTestBackend, uniqueProgramName } from './harness.ts';

let backend: Backend;
before(async () => {
  backend = await startTestBackend();
});
after(() => backend.close());

describe('the bundled examples, against the real kernel', () => {
  test('hello_execve prints its line for every execve', async () => {
    const report = await runRemote({ server: backend.url, files: [], example: 'hello_execve', seeds: [], seconds: 1, trigger: 'exec' });
    assert.equal(report.error, undefined);
    assert.equal(report.ok, true);
    assert.equal(report.stage, 'run');
    assert.ok(
      report.trace.some((line) => line === 'invoke bpf_prog: Hello, World!'),
      report.trace.slice(0, 5).join('\n'),
    );
  });

  test('execve_counter counts once its key is seeded between load and attach', async () => {
    const report = await runRemote({ server: backend.url, files: [], example: 'execve_counter', seeds: [], seconds: 2, trigger: 'exec' });
    assert.equal(report.ok, true, report.error?.message);
    const entries = report.maps.execve_counter ?? [];
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.key, 'execve_counter');
    assert.ok(typeof entries[0]!.value === 'number' && entries[0]!.value >= 1, `count was ${entries[0]!.value}`);
  });

  test('without the seed, execve_counter never counts', async () => {
    const source = (await exampleFiles('execve_counter'))[0]!;
    const report = await runRemote({ server: backend.url, files: [source], seeds: [], seconds: 1, trigger: 'exec' });
    assert.equal(report.ok, true);
    assert.deepEqual(report.maps.execve_counter ?? [], []);
  });

  test("bootstrap (exec and exit events, a struct from its header) runs and its events decode by the header's struct", async () => {
    const report = await runRemote({ server: backend.url, files: [], example: 'bootstrap', seeds: [], seconds: 2, trigger: 'exec' });
    assert.equal(report.ok, true, `${report.stage}: ${report.error?.message}`);
    const decoded = report.events.filter((e) => typeof e === 'object' && e !== null) as Record<string, unknown>[];
    assert.ok(
      decoded.some((e) => e.comm === 'true' && e.exit_event === false && e.filename === '/bin/true'),
      JSON.stringify(report.events.slice(0, 3)),
    );
    assert.ok(decoded.some((e) => e.comm === 'true' && e.exit_event === true));
  });

  for (const name of ['exec_parent_core', 'open_events_ringbuf', 'syscall_counts_raw_tp']) {
    test(`${name} compiles, loads and attaches`, async () => {
      const report = await runRemote({
        server: backend.url,
        files: [],
        example: name,
        seeds: [],
        seconds: 1.2,
        trigger: name.includes('open') ? 'open' : 'exec',
      });
      assert.equal(report.ok, true, `${report.stage}: ${report.error?.message}\n${report.verifierLog ?? ''}`);
      if (name === 'exec_parent_core')
        assert.ok(
          report.trace.some((l) => /^exec \S+ pid=\d+ ppid=\d+$/.test(l)),
          report.trace.join('\n'),
        );
      if (name === 'open_events_ringbuf') assert.ok(Number(report.maps.stats?.find((e) => e.key === 0)?.value) >= 1);
      if (name === 'syscall_counts_raw_tp') assert.ok((report.maps.syscall_counts ?? []).length > 3);
    });
  }
});

test('Stop reads the maps once more: the last values arrive even when no poll was due', async () => {
  // Polls are an hour apart here: the first frame (count 0) comes at attach, the next only from Stop.
  const slowPolls = await startTestBackend((config) => {
    config.limits.mapIntervalMs = 3_600_000;
  });
  try {
    const report = await runRemote({ server: slowPolls.url, files: [], example: 'execve_counter', seeds: [], seconds: 1.5, trigger: 'exec' });
    assert.equal(report.ok, true, report.error?.message);
    const count = report.maps.execve_counter?.[0]?.value;
    assert.ok(typeof count === 'number' && count >= 1, `count was ${count}`);
  } finally {
    slowPolls.close();
  }
});

describe('failures come back as data', () => {
  test('a compile error names the file, line and column', async () => {
    const content = helloSource('bad').replace('return 0;', 'return 0 +;');
    const report = await runRemote({ server: backend.url, files: [{ name: 'broken.bpf.c', content }], seeds: [], seconds: 0 });
    assert.equal(report.ok, false);
    assert.equal(report.stage, 'compile');
    assert.equal(report.error?.code, 'compile_failed');
    const line = content.split('\n').findIndex((l) => l.includes('return 0 +;')) + 1;
    const error = report.diagnostics.find((d) => d.severity === 'error');
    assert.deepEqual([error?.file, error?.line, error?.column], ['broken.bpf.c', line, 12]);
  });

  test('a verifier rejection returns the verifier log', async () => {
    const content = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } m SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_execve")
int nocheck(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&m, &k);
	*v += 1; /* no NULL check */
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
    const report = await runRemote({ server: backend.url, files: [{ name: 'nocheck.bpf.c', content }], seeds: [], seconds: 0 });
    assert.equal(report.ok, false);
    assert.equal(report.stage, 'load');
    assert.equal(report.error?.code, 'verifier_rejected');
    assert.match(report.verifierLog ?? '', /invalid mem access 'map_value_or_null'/);
    assert.equal(report.explanation?.kind, 'null_deref');
    const line = content.split('\n').findIndex((l) => l.includes('no NULL check')) + 1;
    assert.deepEqual([report.explanation?.file, report.explanation?.line], ['nocheck.bpf.c', line]);
    assert.ok(report.diagnostics.some((d) => d.source === 'verifier' && d.line === line));
    assert.match(report.error?.message ?? '', new RegExp(`^The verifier rejected the program \\(nocheck\\.bpf\\.c:${line}\\): R0 may be NULL here`));
  });

  test('host files stay out of reach of #include', async () => {
    const content = `#include "/etc/shadow"\n${helloSource('leak')}`;
    const report = await runRemote({ server: backend.url, files: [{ name: 'leak.bpf.c', content }], seeds: [], seconds: 0 });
    assert.equal(report.stage, 'compile');
    assert.match(report.diagnostics[0]?.message ?? '', /'\/etc\/shadow' file not found/);
  });
});

describe('maps from user space', () => {
  test('entries can be inserted, updated and deleted by their BTF types', async () => {
    const connection = await PlaygroundConnection.open(backend.url, 'test');
    try {
      const [source] = await exampleFiles('execve_counter');
      const runId = connection.send({ type: 'run', files: [source!], seeds: [{ map: 'execve_counter', key: 'execve_counter', value: 0 }] });
      assert.ok(await connection.waitFor((m) => m.type === 'run_state' && m.runId === runId && m.state === 'running', 30_000));

      let since = connection.inbox.length;
      assert.equal((await connection.request({ type: 'map_update', map: 'execve_counter', key: 'from the test', value: 42 })).ok, true);
      await waitForEntry(connection, since, 'from the test', 42);

      const tooBig = await connection.request({ type: 'map_update', map: 'execve_counter', key: 'x', value: -1 });
      assert.equal(tooBig.ok, false);
      assert.equal(tooBig.error?.code, 'map_error');

      since = connection.inbox.length;
      assert.equal((await connection.request({ type: 'map_delete', map: 'execve_counter', key: 'from the test' })).ok, true);
      await waitForEntry(connection, since, 'from the test', undefined);
      await connection.request({ type: 'stop' });
    } finally {
      connection.close();
    }
  });
});

describe('sessions', () => {
  test("each session gets only its own bpf_printk lines, and cannot forge another's", async () => {
    const mine = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("tracepoint/syscalls/sys_enter_execve")
int a_prog(void *ctx) { bpf_printk("a-line %d", 1); return 0; }
char LICENSE[] SEC("license") = "GPL";
`;
    const forger = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("tracepoint/syscalls/sys_enter_execve")
int b_prog(void *ctx)
{
	char raw[] = "a-line 2";

	bpf_printk("b-line");
	bpf_trace_printk(raw, sizeof(raw));          /* no tag at all */
	bpf_printk("[pg:aaaaaaaaaaaa] a-line 3");    /* a made-up tag after its own */
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
    const a = await PlaygroundConnection.open(backend.url, 'test');
    const b = await PlaygroundConnection.open(backend.url, 'test');
    try {
      const runA = a.send({ type: 'run', files: [{ name: 'a.bpf.c', content: mine }] });
      const runB = b.send({ type: 'run', files: [{ name: 'b.bpf.c', content: forger }] });
      for (const [c, id] of [
        [a, runA],
        [b, runB],
      ] as const) {
        assert.ok(await c.waitFor((m) => m.type === 'run_state' && m.runId === id && m.state === 'running', 30_000));
      }
      for (let i = 0; i < 5; i++) await a.request({ type: 'trigger', what: 'exec' });
      assert.ok(await b.waitFor((m) => m.type === 'trace' && m.lines.some((l) => l.text === '[pg:aaaaaaaaaaaa] a-line 3'), 10_000));
      assert.ok(await a.waitFor((m) => m.type === 'trace' && m.lines.some((l) => l.text === 'a-line 1'), 10_000));
      await a.request({ type: 'stop' });
      await b.request({ type: 'stop' });
      const texts = (c: PlaygroundConnection) => c.inbox.flatMap((m) => (m.type === 'trace' ? m.lines.map((l) => l.text) : []));
      assert.deepEqual([...new Set(texts(a))], ['a-line 1']);
      assert.deepEqual([...new Set(texts(b))].sort(), ['[pg:aaaaaaaaaaaa] a-line 3', 'b-line']);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('nothing stays in the kernel', () => {
  test('stopping, closing the connection, and killing the server each detach and close the program', async () => {
    for (const ending of ['stop', 'disconnect'] as const) {
      const name = uniqueProgramName();
      const connection = await PlaygroundConnection.open(backend.url, 'test');
      const runId = connection.send({ type: 'run', files: [{ name: 'p.bpf.c', content: helloSource(name) }] });
      assert.ok(await connection.waitFor((m) => m.type === 'run_state' && m.runId === runId && m.state === 'running', 30_000));
      assert.ok(loadedProgramNames().includes(name), 'the program is loaded while running');
      if (ending === 'stop') await connection.request({ type: 'stop' });
      connection.close();
      await until(() => !loadedProgramNames().includes(name));
    }
  });

  test("a crashed loader ends only its own session's run, and frees its program", async () => {
    const [crashing, steady] = [uniqueProgramName(), uniqueProgramName()];
    const a = await PlaygroundConnection.open(backend.url, 'test');
    const b = await PlaygroundConnection.open(backend.url, 'test');
    try {
      const runA = a.send({ type: 'run', files: [{ name: 'a.bpf.c', content: helloSource(crashing, 'from a') }] });
      const runB = b.send({ type: 'run', files: [{ name: 'b.bpf.c', content: helloSource(steady, 'from b') }] });
      for (const [c, id] of [
        [a, runA],
        [b, runB],
      ] as const) {
        assert.ok(await c.waitFor((m) => m.type === 'run_state' && m.runId === id && m.state === 'running', 30_000));
      }
      const [loader] = pidsHoldingProgram(crashing);
      assert.ok(loader && loader !== process.pid, 'the program is held by a process other than the backend');
      process.kill(loader, 'SIGSEGV');
      const failed = await a.waitFor((m) => m.type === 'run_state' && m.runId === runA && m.state === 'error', 10_000);
      assert.match(failed?.type === 'run_state' ? (failed.error?.message ?? '') : '', /loader process for your session stopped/);
      await until(() => !loadedProgramNames().includes(crashing));

      // The other session still runs and still gets its lines.
      assert.ok(loadedProgramNames().includes(steady));
      const since = b.inbox.length;
      b.send({ type: 'trigger', what: 'exec' });
      assert.ok(await b.waitFor((m) => m.type === 'trace' && m.lines.some((l) => l.text === 'from b'), 10_000, since));
    } finally {
      a.close();
      b.close();
    }
  });

  test('a killed backend leaves nothing behind', async () => {
    const name = uniqueProgramName();
    const child = await import('node:child_process').then(({ spawn }) =>
      spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/integration/backend-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.setEncoding('utf8');
        child.stdout!.once('data', (line: string) => resolve(line.trim()));
        child.once('exit', () => reject(new Error('the backend child exited early')));
      });
      const connection = await PlaygroundConnection.open(url, 'test');
      const runId = connection.send({ type: 'run', files: [{ name: 'p.bpf.c', content: helloSource(name) }] });
      assert.ok(await connection.waitFor((m) => m.type === 'run_state' && m.runId === runId && m.state === 'running', 30_000));
      assert.ok(loadedProgramNames().includes(name));
      child.kill('SIGKILL');
      await until(() => !loadedProgramNames().includes(name));
      connection.close();

      // Its tracefs instance stays until the next start, which removes it.
      const instance = `/sys/kernel/tracing/instances/ebpf_playground_${child.pid}_1`;
      assert.ok(existsSync(instance), 'the killed backend left its instance');
      const next = await startTestBackend();
      next.close();
      assert.ok(!existsSync(instance), 'the next start removed it');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

// The backend runs in this process, so the CLI must run asynchronously beside it.
async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'server/cli/bin.js'), ...args, '--server', backend.url], {
      timeout: 60_000,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('the CLI prints one JSON report and exits 0 for a good run', async () => {
  const result = await cli(['run', '--example', 'hello_execve', '--seconds', '1', '--trigger', 'exec', '--json']);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  for (const field of ['ok', 'stage', 'diagnostics', 'verifierLog', 'trace', 'maps', 'events']) assert.ok(field in report, field);
  assert.equal(report.ok, true);
  assert.ok(report.trace.includes('invoke bpf_prog: Hello, World!'));
});

test('the CLI exits non-zero and says where a compile failed', async () => {
  const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  execFileSync('sh', ['-c', `printf 'int x = ;\\n' > ${dir}/oops.bpf.c`]);
  const result = await cli(['run', `${dir}/oops.bpf.c`]);
  assert.equal(result.status, 1);
  assert.match(result.stdout, /^oops\.bpf\.c:1:9: error: expected expression$/m);
  assert.match(result.stdout, /compile failed: oops\.bpf\.c:1:9/);
});

async function exampleFiles(name: string) {
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    const list = await connection.request({ type: 'get_examples' });
    assert.ok(list.ok);
    return list.examples.find((e) => e.name === name)!.files;
  } finally {
    connection.close();
  }
}

/** Waits until, from inbox index `since` on, the map's state (frames folded in order) shows the entry, or its absence. */
async function waitForEntry(connection: PlaygroundConnection, since: number, key: string, value: number | undefined): Promise<void> {
  let entries: MapEntry[] | undefined;
  let seen = 0;
  const found = await connection.waitFor((m) => {
    // Fold every frame up to this one, so deltas apply to what came before.
    for (; seen <= connection.inbox.indexOf(m); seen++) {
      const frame = connection.inbox[seen];
      const map = frame?.type === 'maps' ? frame.maps.find((s) => s.name === 'execve_counter') : undefined;
      if (map) entries = applyMapDelta(entries, map);
    }
    if (m.type !== 'maps' || connection.inbox.indexOf(m) < since) return false;
    const entry = entries?.find((e) => e.key === key);
    return value === undefined ? !entry : entry?.value === value;
  }, 10_000);
  assert.ok(found, `execve_counter[${key}] ${value === undefined ? 'gone' : `= ${value}`}`);
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('timed out waiting for the kernel to drop the program');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('the session tag never shows in .rodata', async () => {
  const report = await runRemote({ server: backend.url, files: [], example: 'exec_parent_core', seeds: [], seconds: 1.2 });
  assert.equal(report.ok, true, report.error?.message);
  const rodata = JSON.stringify(report.maps['.rodata']);
  assert.match(rodata, /exec %s pid=%d ppid=%d/);
  assert.doesNotMatch(rodata, /\[pg:/);
});

test("a printk format ending in a newline and clang's string literals read as text, without the session tag", async () => {
  const report = await runRemote({ server: backend.url, files: [], example: 'hello_execve', seeds: [], seconds: 1 });
  assert.equal(report.ok, true, report.error?.message);
  assert.deepEqual(report.maps['.rodata.str1.1']?.[0]?.value, ['Hello, World!']);
  assert.deepEqual(report.maps['.rodata']?.[0]?.value, { 'bpf_prog.____fmt': 'invoke bpf_prog: %s\n' });
});

test('the same source run again in a session skips the compiler, and still runs', async () => {
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    const files = [{ name: 'again.bpf.c', content: helloSource(uniqueProgramName(), 'again') }];
    const states: { cached?: boolean; compileMs?: number }[] = [];
    for (let i = 0; i < 2; i++) {
      const runId = connection.send({ type: 'run', files });
      const running = await connection.waitFor((m) => m.type === 'run_state' && m.runId === runId && m.state === 'running', 30_000);
      assert.ok(running?.type === 'run_state');
      states.push(running.timings);
      const since = connection.inbox.length;
      connection.send({ type: 'trigger', what: 'exec' });
      assert.ok(await connection.waitFor((m) => m.type === 'trace' && m.runId === runId && m.lines.some((l) => l.text === 'again'), 10_000, since));
      connection.send({ type: 'inspect' });
      assert.ok(await connection.waitFor((m) => m.type === 'skeleton' && m.runId === runId, 10_000), 'the skeleton comes with every run that is inspected');
    }
    assert.equal(states[0]!.cached, false);
    assert.equal(states[1]!.cached, true);
    assert.equal(states[1]!.compileMs, 0);
  } finally {
    connection.close();
  }
});

test('Inspect content is made when the page asks for it, and a prepared source runs without compiling', async () => {
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    const files = [{ name: 'lazy.bpf.c', content: helloSource(uniqueProgramName(), 'lazy') }];
    const prepared = await connection.request({ type: 'prepare', files }, 30_000);
    assert.equal(prepared.ok, true, JSON.stringify(prepared));
    const runId = connection.send({ type: 'run', files });
    const running = await connection.waitFor((m) => m.type === 'run_state' && m.runId === runId && m.state === 'running', 30_000);
    assert.ok(running?.type === 'run_state');
    assert.equal(running.timings.compileMs, 0, 'compiled ahead by prepare');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lazy = ['inspect', 'skeleton', 'loaded_code'];
    assert.equal(
      connection.inbox.some((m) => lazy.includes(m.type)),
      false,
      'nobody asked for Inspect yet',
    );

    assert.equal((await connection.request({ type: 'inspect' })).ok, true);
    const inspected = await connection.waitFor((m) => m.type === 'inspect' && m.runId === runId, 30_000);
    assert.ok(inspected?.type === 'inspect' && inspected.disassembly.includes('bpf_trace_printk'), 'the disassembly names the helper');
    assert.ok(await connection.waitFor((m) => m.type === 'skeleton' && m.runId === runId, 30_000), 'and the skeleton');
    assert.ok(await connection.waitFor((m) => m.type === 'loaded_code' && m.runId === runId, 30_000), 'and the translated code');
  } finally {
    connection.close();
  }
});

test("a prepare answers with clang's diagnostics of its own files, and an older one overtaken by newer files says so", async () => {
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    const name = uniqueProgramName();
    const fixed = helloSource(name, 'typed');
    const broken = (line: string) => [{ name: 'typing.bpf.c', content: fixed.replace('return 0;', `${line}\n\treturn 0;`) }];
    // Three pauses in a row: the middle one is always overtaken (the one-slot queue takes the newest files).
    const [first, middle, last] = await Promise.all([
      connection.request({ type: 'prepare', files: broken('\tundeclared_first++;') }, 30_000),
      connection.request({ type: 'prepare', files: broken('\tundeclared_middle++;') }, 30_000),
      connection.request({ type: 'prepare', files: broken('\tundeclared_last++;') }, 30_000),
    ]);
    assert.ok(middle.ok && middle.outcome === 'superseded', JSON.stringify(middle));
    assert.deepEqual(middle.diagnostics, []);
    assert.ok(last.ok && last.outcome === 'compiled', JSON.stringify(last));
    const errors = last.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(last.diagnostics));
    assert.match(errors[0]!.message, /undeclared_last/);
    assert.equal(errors[0]!.file, 'typing.bpf.c');
    // The first was either compiled before the others came (its own error) or overtaken too: never another's.
    assert.ok(first.ok, JSON.stringify(first));
    if (first.outcome === 'compiled') assert.match(first.diagnostics.find((d) => d.severity === 'error')?.message ?? '', /undeclared_first/);

    const clean = await connection.request({ type: 'prepare', files: [{ name: 'typing.bpf.c', content: fixed }] }, 30_000);
    assert.ok(clean.ok && clean.outcome === 'compiled', JSON.stringify(clean));
    assert.deepEqual(
      clean.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
  } finally {
    connection.close();
  }
});

test('const volatile settings in .rodata are set before load, the other globals kept', async () => {
  const seeds = [{ map: '.rodata', key: 0, value: { target_ppid: process.pid } }];
  const report = await runRemote({ server: backend.url, files: [], example: 'exec_parent_core', seeds, seconds: 1.5, trigger: 'exec' });
  assert.equal(report.ok, true, report.error?.message);
  assert.ok(report.trace.length > 0, "the backend's own children pass the filter");
  assert.ok(
    report.trace.every((line) => line.endsWith(`ppid=${process.pid}`)),
    `${process.pid}: ${JSON.stringify(report.trace)}`,
  );
  const rodata = report.maps['.rodata']?.[0]?.value as Record<string, unknown>;
  assert.equal(rodata.target_ppid, process.pid);

  const wrong = await runRemote({
    server: backend.url,
    files: [],
    example: 'exec_parent_core',
    seeds: [{ map: '.rodata', key: 0, value: { target_pid: 1 } }],
    seconds: 0,
  });
  assert.equal(wrong.error?.code, 'seed_failed');
  assert.match(wrong.error?.message ?? '', /Setting \.rodata failed: unknown variable "target_pid" in SEC\("\.rodata"\)/);
});

test("a seed for a map the program lacks (another program's, left over) is refused in one sentence, before load", async () => {
  const report = await runRemote({
    server: backend.url,
    files: [],
    example: 'hello_execve',
    seeds: [{ map: 'execve_counter', key: 'execve_counter', value: 0 }],
    seconds: 0,
  });
  assert.equal(report.error?.code, 'seed_failed');
  assert.equal(report.error?.message, 'The seed for map execve_counter names no map of this program; remove it in Seeds.');
});
