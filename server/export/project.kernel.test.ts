// Needs: root and a kernel that loads BPF: exported projects are built (make, go) and their loaders run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import type { MapSeed, SourceFile } from '../../protocol/messages.ts';
import { ROOT, loadConfig } from '../config.ts';
import { exportFixture } from './export-fixture.ts';
import { bundledLessons } from '../lessons/course.ts';

const run = promisify(execFile);
const BPFTOOL = existsSync('/usr/sbin/bpftool') ? '/usr/sbin/bpftool' : 'bpftool';

const fixture = exportFixture(() => loadConfig({}));
const { example, exported } = fixture;

/** Unzips into a fresh dir and returns the project's folder. */
function unzipProject(zip: Uint8Array, name: string): string {
  const dir = mkdtempSync(path.join(fixture.workdir, `${name}-`));
  for (const [file, bytes] of Object.entries(unzipSync(zip))) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), bytes);
  }
  return path.join(dir, name);
}

async function make(project: string): Promise<void> {
  try {
    await run('make', ['-s'], { cwd: project, timeout: 60_000 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    assert.fail(`make failed in ${project}:\n${e.stderr || e.stdout || e.message}`);
  }
}

/** Ids of the BPF programs a process holds open, from /proc/<pid>/fdinfo. */
function programIdsHeldBy(pid: number): number[] {
  const ids: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const match = /^prog_id:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (match) ids.push(Number(match[1]));
    } catch {
      // The fd closed while we looked.
    }
  }
  return ids;
}

function loadedProgramIds(): Set<number> {
  return new Set((JSON.parse(execFileSync(BPFTOOL, ['-j', 'prog', 'show'], { encoding: 'utf8' })) as { id: number }[]).map((p) => p.id));
}

interface LoaderRun {
  stdout: string;
  stderr: string;
  code: number | null;
  /** Programs the loader held while attached. */
  programIds: number[];
  pid: number;
}

/**
 * Runs the built loader with `-d 1`, making execs and opens every 100 ms
 * while it runs, and waits for it to exit by itself.
 */
async function runLoader(project: string, name: string, extraArgs: string[] = []): Promise<LoaderRun> {
  const child = spawn(path.join(project, name), ['-d', '1', ...extraArgs], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let programIds: number[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!programIds.length && stdout.includes('attached:') && child.pid) programIds = programIdsHeldBy(child.pid);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const trigger = setInterval(() => {
    execFile('/bin/true', () => {});
    closeSync(openSync(path.join(project, 'Makefile'), 'r'));
  }, 100);
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    return { stdout, stderr, code, programIds, pid: child.pid! };
  } finally {
    clearInterval(trigger);
    clearTimeout(killer);
  }
}

/** The loader is gone, and so are its programs: the kernel frees them shortly after their last fd closes. */
async function assertUnloaded({ pid, programIds: ids }: LoaderRun): Promise<void> {
  assert.ok(!existsSync(`/proc/${pid}`), `the loader (pid ${pid}) is still there`);
  assert.ok(ids.length > 0, 'the loader held no program while attached');
  const deadline = Date.now() + 3_000;
  let left = ids.filter((id) => loadedProgramIds().has(id));
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = ids.filter((id) => loadedProgramIds().has(id));
  }
  assert.deepEqual(left, [], 'programs still loaded after the loader exited');
}

/** Globals of many kinds set from a seed, and a record with bitfields: the program copies both where the loader prints them. */
const SETTINGS: SourceFile = {
  name: 'settings.bpf.c',
  content: `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef __u64 u64;
typedef char label_t[16];
enum mode { MODE_OFF, MODE_ON = 7 };
struct limits { char tag[3]; __u64 max; short min; };
struct packed_pair { char a; int b; } __attribute__((packed));
struct sample { int neg; unsigned flag:1; unsigned level:3; int delta:5; _Bool ok; char name[8]; __u8 raw[3]; };

const volatile u64 big = 0;
const volatile label_t label = "none";
const volatile enum mode mode = MODE_OFF;
const volatile struct limits limits = {};
const volatile struct packed_pair pair = {};
const volatile _Bool enabled = 0;
const volatile int negative = 0;

__u64 seen_big, seen_max;
int seen_mode, seen_label0, seen_b, seen_enabled, seen_negative, seen_min;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} samples SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int record_settings(void *ctx)
{
	struct sample *s;

	seen_big = big;
	seen_max = limits.max;
	seen_min = limits.min;
	seen_mode = mode;
	seen_label0 = label[0];
	seen_b = pair.b;
	seen_enabled = enabled;
	seen_negative = negative;
	s = bpf_ringbuf_reserve(&samples, sizeof(*s), 0);
	if (!s)
		return 0;
	__builtin_memset(s, 0, sizeof(*s));
	s->neg = -2;
	s->flag = 1;
	s->level = 5;
	s->delta = -7;
	s->ok = 1;
	__builtin_memcpy(s->name, "abc", 4);
	s->raw[0] = 1;
	s->raw[1] = 2;
	s->raw[2] = 0xff;
	bpf_ringbuf_submit(s, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`,
};
const SETTINGS_SEED: MapSeed = {
  map: '.rodata',
  key: 0,
  value: {
    big: '18446744073709551615',
    label: 'hello',
    mode: 'MODE_ON',
    limits: { tag: 'ab', max: 99, min: -3 },
    pair: { a: 1, b: 300 },
    enabled: true,
    negative: -5,
  },
};

/** What an example's loader prints in a second of execs and opens, whichever language it is in. */
function assertExampleOutput(name: string, stdout: string): void {
  switch (name) {
    case 'execve_counter': {
      const key = Buffer.concat([Buffer.from('execve_counter'), Buffer.alloc(64 - 14)]).toString('hex');
      const entry = new RegExp(`^ {2}key ${key} "execve_counter" -> value [0-9a-f]{16} \\(u64 (\\d+)\\)$`, 'm').exec(stdout);
      assert.ok(entry, stdout);
      assert.ok(Number(entry[1]) >= 1, `count was ${entry[1]}`);
      break;
    }
    case 'open_events_ringbuf':
      assert.match(stdout, /^events: 84-byte record: [0-9a-f]{168}$/m);
      assert.match(stdout, /^ {2}struct open_event: pid=\d+ comm="[^"]*" filename="[^"]*"$/m);
      assert.match(stdout, /^stats \(array\):\n {2}key 00000000 \(u32 0\) -> value [0-9a-f]{16} \(u64 [1-9]\d*\)$/m);
      break;
    case 'bootstrap':
      assert.match(stdout, /^ {2}struct event: pid=\d+ ppid=\d+ exit_code=\d+ duration_ns=\d+ comm="true" filename="\/bin\/true" exit_event=false$/m);
      break;
    case 'exec_parent_core':
      assert.match(stdout, /^\.bss exec_count = [1-9]\d*$/m);
      break;
    case 'syscall_counts_raw_tp':
      assert.match(stdout, /^syscall_counts \(hash\):\n {2}key [0-9a-f]{8} \(u32 \d+\) -> value [0-9a-f]{16} \(u64 [1-9]\d*\)$/m);
      break;
  }
}

/** The settings program's loader ran, set every global from the seed, and printed a record field by field. */
async function assertSettingsSeen(out: LoaderRun): Promise<void> {
  assert.equal(out.code, 0, out.stderr);
  const seen = (name: string) => new RegExp(`^\\.bss ${name} = (-?\\d+)$`, 'm').exec(out.stdout)?.[1];
  assert.equal(seen('seen_big'), '18446744073709551615', out.stdout);
  assert.equal(seen('seen_max'), '99');
  assert.equal(seen('seen_min'), '-3');
  assert.equal(seen('seen_mode'), '7');
  assert.equal(seen('seen_label0'), String('h'.charCodeAt(0)));
  assert.equal(seen('seen_b'), '300');
  assert.equal(seen('seen_enabled'), '1');
  assert.equal(seen('seen_negative'), '-5');
  assert.match(out.stdout, /^ {2}struct sample: neg=-2 flag=1 level=5 delta=-7 ok=true name="abc" raw=0102ff$/m);
  await assertUnloaded(out);
}

describe('exported projects, built with make and run as root', () => {
  test('every kind of global is set from its seed, and records print field by field', async () => {
    const result = await exported([SETTINGS], [SETTINGS_SEED]);
    const project = unzipProject(result.zip, 'settings');
    const loader = readFileSync(path.join(project, 'src', 'settings.c'), 'utf8');
    assert.match(loader, /^\tskel->rodata->big = 18446744073709551615ULL;$/m);
    assert.match(loader, /^\tskel->rodata->mode = 7;$/m);
    assert.match(loader, /^\tskel->rodata->enabled = true;$/m);
    assert.match(loader, /^\tskel->rodata->negative = -5;$/m);
    assert.match(loader, /^typedef char label_t\[16\];$/m, "the user's typedef, which the skeleton names");
    assert.match(loader, /^struct packed_pair \{ char a; int b; \} __attribute__\(\(packed\)\);$/m);
    await make(project);

    await assertSettingsSeen(await runLoader(project, 'settings'));
  });

  for (const name of [
    'hello_execve',
    'execve_counter',
    'exec_parent_core',
    'open_events_ringbuf',
    'syscall_counts_raw_tp',
    'libc_execve_uprobe',
    'bootstrap',
  ]) {
    test(`${name}: exported, made, and run for a second`, async () => {
      const ex = example(name);
      const result = await exported(ex.files, ex.seeds);
      const project = unzipProject(result.zip, name);
      await make(project);
      const out = await runLoader(project, name);
      assert.equal(out.code, 0, `${out.stderr}\n${out.stdout.slice(0, 2000)}`);
      assert.match(out.stdout, /^attached: \S+/m);
      assert.match(out.stdout, /sudo cat \/sys\/kernel\/debug\/tracing\/trace_pipe/);
      assertExampleOutput(name, out.stdout);
      await assertUnloaded(out);
    });
  }
});

/** Debian 12's Go (1.19) and cilium/ebpf (0.9.1), as scripts/setup.sh --test installs them. */
const GO = existsSync('/usr/lib/go-1.19/bin/go') ? '/usr/lib/go-1.19/bin/go' : 'go';
const DEBIAN_GOCODE = '/usr/share/gocode/src';
/** Shared by every build and kept between runs: the first build compiles Go's standard library. */
const GO_CACHE = path.join(ROOT, '.cache', 'go-build');
/**
 * CO-RE relocations need the kernel's BTF, which Debian's cilium/ebpf (0.9.1) cannot read on
 * kernels since 6.0 (it has no BTF_KIND_ENUM64); a current release can. These run with -btf and
 * the few types they use, which bpftool cuts out of the kernel's BTF.
 */
const NEEDS_KERNEL_BTF = new Set(['exec_parent_core', 'open_events_ringbuf', 'libc_execve_uprobe', 'bootstrap']);

/** The kernel types the object's CO-RE relocations name, as `bpftool gen min_core_btf` keeps them. */
function minimalBtf(project: string): string {
  const object = readdirSync(project).find((f) => /^bpf_.*\.o$/.test(f));
  assert.ok(object, `bpf2go left no object in ${project}`);
  const out = path.join(project, 'kernel.btf');
  execFileSync(BPFTOOL, ['gen', 'min_core_btf', '/sys/kernel/btf/vmlinux', out, path.join(project, object)]);
  return out;
}

/**
 * `go generate && go build` with no network: a go.work outside the project
 * points cilium/ebpf and x/sys at Debian's packaged sources, so the project's
 * go.mod stays the one a user builds online.
 */
async function goBuild(project: string): Promise<void> {
  const work = mkdtempSync(path.join(fixture.workdir, 'gowork-'));
  const env = {
    ...process.env,
    GOWORK: path.join(work, 'go.work'),
    GOPROXY: 'off',
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    GOCACHE: GO_CACHE,
    GOMODCACHE: path.join(work, 'mod'),
    PATH: `${path.dirname(GO)}:${process.env.PATH}`,
  };
  const go = (args: string[]) => run(GO, args, { cwd: project, env, timeout: 240_000 });
  try {
    await go(['work', 'init', project]);
    await go([
      'work',
      'edit',
      `-replace=github.com/cilium/ebpf=${DEBIAN_GOCODE}/github.com/cilium/ebpf`,
      `-replace=golang.org/x/sys=${DEBIAN_GOCODE}/golang.org/x/sys`,
    ]);
    if (existsSync(path.join(project, 'bpf', 'vmlinux.h')) === false && readFileSync(path.join(project, 'Makefile'), 'utf8').includes('bpf/vmlinux.h:')) {
      await run('make', ['-s', 'bpf/vmlinux.h'], { cwd: project, timeout: 60_000 });
    }
    await go(['generate', './...']);
    await go(['build', '-o', path.basename(project), '.']);
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    assert.fail(`the Go build failed in ${project}:\n${e.stderr || e.stdout || e.message}`);
  }
}

describe("export as Go (cilium/ebpf + bpf2go), built offline against Debian's packages", () => {
  test('the sources go in unchanged under bpf/, beside main.go, gen.go, go.mod, a Makefile and a README; gofmt has nothing to change', async () => {
    const ex = example('execve_counter');
    const result = await exported(ex.files, ex.seeds, undefined, 'go');
    assert.deepEqual(result.fileNames.sort(), [
      'execve_counter/.gitignore',
      'execve_counter/Makefile',
      'execve_counter/README.md',
      'execve_counter/bpf/execve_counter.bpf.c',
      'execve_counter/gen.go',
      'execve_counter/go.mod',
      'execve_counter/main.go',
    ]);
    const project = unzipProject(result.zip, 'execve_counter');
    assert.equal(readFileSync(path.join(project, 'bpf', 'execve_counter.bpf.c'), 'utf8'), ex.files[0]!.content);
    assert.match(readFileSync(path.join(project, 'go.mod'), 'utf8'), /^require github\.com\/cilium\/ebpf v\d+\.\d+\.\d+$/m);
    assert.match(
      readFileSync(path.join(project, 'gen.go'), 'utf8'),
      /^\/\/go:generate go run github\.com\/cilium\/ebpf\/cmd\/bpf2go .* bpf\/execve_counter\.bpf\.c/m,
    );
    const { stdout } = await run(path.join(path.dirname(GO), 'gofmt'), ['-l', project]);
    assert.equal(stdout, '');
  });

  test('every kind of global is set from its seed before load, and records print field by field, as in C', async () => {
    const result = await exported([SETTINGS], [SETTINGS_SEED], undefined, 'go');
    const project = unzipProject(result.zip, 'settings');
    await goBuild(project);
    await assertSettingsSeen(await runLoader(project, 'settings'));
  });

  test("every lesson's solution exports in C and in Go, and both build", async () => {
    for (const { lesson, solution } of bundledLessons()) {
      const name = `lesson_${lesson.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      for (const language of ['c', 'go'] as const) {
        const result = await exported(solution, [], name, language);
        const project = unzipProject(result.zip, name);
        if (language === 'c') await make(project);
        else await goBuild(project);
      }
    }
  });

  for (const name of [
    'hello_execve',
    'execve_counter',
    'exec_parent_core',
    'open_events_ringbuf',
    'syscall_counts_raw_tp',
    'libc_execve_uprobe',
    'bootstrap',
  ]) {
    const core = NEEDS_KERNEL_BTF.has(name);
    test(`${name}: exported as Go, built, and run for a second${core ? " (-btf: its CO-RE types cut from the kernel's)" : ''}`, async () => {
      const ex = example(name);
      const result = await exported(ex.files, ex.seeds, undefined, 'go');
      const project = unzipProject(result.zip, name);
      await goBuild(project);
      const out = await runLoader(project, name, core ? ['-btf', minimalBtf(project)] : []);
      assert.equal(out.code, 0, `${out.stderr}\n${out.stdout.slice(0, 2000)}`);
      assert.match(out.stdout, /^attached: \S+ \(SEC\(".+"\)\)$/m);
      if (name === 'hello_execve') assert.match(out.stdout, /Hello, World!$/m);
      assertExampleOutput(name, out.stdout);
      await assertUnloaded(out);
    });
  }
});
