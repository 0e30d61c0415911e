// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// Programs in the shapes real tools have (written here, not copied): each runs as its own
// loader would run it, and everything the playground changed or left out is said.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../backend.ts';
import { runRemote, type RemoteRunReport } from '../cli/remote-run.ts';
import { startTestBackend } from './harness.ts';
import { Collection } from '../../native/index.ts';
import type { AttachSettings } from '../../protocol/messages.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

let backend: Backend;
before(async () => {
  backend = await startTestBackend();
});
after(() => backend.close());

const CORE = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n';
const LICENSE = '\nchar LICENSE[] SEC("license") = "GPL";\n';

function run(content: string, seconds = 1, attach?: AttachSettings, until?: (report: RemoteRunReport) => boolean): Promise<RemoteRunReport> {
  return runRemote({ server: backend.url, files: [{ name: 'tool.bpf.c', content }], seeds: [], seconds, trigger: 'exec', attach, until });
}

function targetRunning(): boolean {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'playground-targ';
      } catch {
        return false; // gone meanwhile
      }
    });
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const why = (report: RemoteRunReport) => `${report.stage}: ${report.error?.message ?? ''} ${report.compileLog}`;

describe('programs shaped like real tools', () => {
  test('a hash map too big for the per-map limit is shrunk, said in one line, and the program runs', async () => {
    const report = await run(`${CORE}
struct exec_record { u32 pid; char argv[7680]; };
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct exec_record);
} execs SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int record_exec(void *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct exec_record *r = bpf_map_lookup_elem(&execs, &pid);
	if (r)
		r->pid = pid;
	return 0;
}
${LICENSE}`);
    assert.equal(report.ok, true, why(report));
    assert.deepEqual(
      report.changes.map((c) => c.message),
      ['execs: max_entries 10,240 → 2,048 to fit the 16.0 MiB per-map limit.'],
    );
  });

  test('an object with 40 programs, one per syscall, loads and attaches them all', async () => {
    const syscalls = [
      'read',
      'write',
      'openat',
      'close',
      'newfstatat',
      'getppid',
      'lseek',
      'mmap',
      'mprotect',
      'munmap',
      'brk',
      'rt_sigaction',
      'rt_sigprocmask',
      'ioctl',
      'pread64',
      'pwrite64',
      'readv',
      'writev',
      'access',
      'pipe2',
      'dup',
      'dup2',
      'nanosleep',
      'getpid',
      'socket',
      'connect',
      'accept',
      'sendto',
      'recvfrom',
      'bind',
      'listen',
      'clone',
      'execve',
      'exit_group',
      'wait4',
      'kill',
      'newuname',
      'fcntl',
      'getcwd',
      'chdir',
    ];
    const programs = syscalls
      .map((name) => `SEC("tp/syscalls/sys_enter_${name}")\nint on_${name}(void *ctx)\n{\n\tcount(${syscalls.indexOf(name)});\n\treturn 0;\n}\n`)
      .join('\n');
    const report = await run(`${CORE}
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 40);
	__type(key, u32);
	__type(value, u64);
} calls SEC(".maps");

static __always_inline void count(u32 slot)
{
	u64 *n = bpf_map_lookup_elem(&calls, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
}

${programs}${LICENSE}`);
    assert.equal(report.ok, true, why(report));
    assert.equal(report.programs.length, 40);
    assert.deepEqual(report.changes, []);
    assert.ok(
      report.programs.every((p) => p.attached),
      report.programs
        .filter((p) => !p.attached)
        .map((p) => `${p.section}: ${p.attachError}`)
        .join('\n'),
    );
  });

  test('a stack-trace map with no value_size gets the kernel’s default depth', async () => {
    const report = await run(`${CORE}
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 256);
	__type(key, u32);
} stacks SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int where_from(void *ctx)
{
	bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	return 0;
}
${LICENSE}`);
    assert.equal(report.ok, true, why(report));
    assert.deepEqual(
      report.changes.map((c) => c.message),
      ["stacks: value_size 0 → 1,016 bytes (127 frames, the kernel's default stack depth)."],
    );
  });

  test('a kprobe on a function this kernel lacks is left out, and its tp_btf variant runs', async () => {
    const report = await run(`${CORE}
SEC("kprobe/__playground_no_such_function")
int BPF_KPROBE(old_way)
{
	bpf_printk("old");
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(new_way, struct task_struct *p)
{
	bpf_printk("new");
	return 0;
}
${LICENSE}`);
    assert.equal(report.ok, true, why(report));
    assert.deepEqual(
      report.changes.map((c) => c.message),
      ['kprobe/__playground_no_such_function: not loaded, this kernel has no such function.'],
    );
    const old = report.programs.find((p) => p.name === 'old_way');
    assert.equal(old?.attached, false);
    assert.match(old?.notLoaded ?? '', /no such function/);
    assert.equal(report.programs.find((p) => p.name === 'new_way')?.attached, true);
  });

  test('a perf_event profiler is attached to every CPU’s clock and samples', async () => {
    const report = await run(
      `${CORE}
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} samples SEC(".maps");

SEC("perf_event")
int sample(void *ctx)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&samples, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
${LICENSE}`,
      2,
    );
    assert.equal(report.ok, true, why(report));
    const program = report.programs.find((p) => p.name === 'sample');
    assert.equal(program?.attached, true);
    assert.ok((program?.cpus ?? 0) >= 1, JSON.stringify(program));
    const value = report.maps.samples?.[0]?.value;
    assert.ok(typeof value === 'number' && value > 0, `samples: ${JSON.stringify(report.maps.samples)}`);
  });

  test('a kfunc declared by the newer vmlinux.h (bpf_task_from_pid) compiles and loads', async () => {
    const report = await run(`${CORE}
SEC("tp_btf/sched_process_exec")
int BPF_PROG(parent_of, struct task_struct *p)
{
	struct task_struct *t = bpf_task_from_pid(p->tgid);
	if (t) {
		bpf_printk("found %d", t->pid);
		bpf_task_release(t);
	}
	return 0;
}
${LICENSE}`);
    assert.equal(report.ok, true, why(report));
  });

  test('a map whose value is a struct only declared gets a sentence about that struct, not about the verifier', async () => {
    const report = await run(`${CORE}
struct opaque_thing;
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, struct opaque_thing);
	__uint(value_size, 16);
} things SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int look(void *ctx)
{
	u32 key = 1;
	bpf_map_lookup_elem(&things, &key);
	return 0;
}
${LICENSE}`);
    assert.equal(report.ok, false);
    assert.equal(
      report.error?.message,
      "libbpf could not open the object: map things's value type has no size: it names a struct that is only declared (forward-declared), not defined; define the struct with its fields before the map, or include the header that does.",
    );
    assert.doesNotMatch(report.error?.message ?? '', /verifier/);
  });

  test('a legacy struct bpf_map_def SEC("maps") gets the sentence on its line', async () => {
    const report = await run(`#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 64,
};
${LICENSE}`);
    assert.equal(report.ok, false);
    assert.equal(report.stage, 'compile');
    assert.match(
      report.error?.message ?? '',
      /^tool\.bpf\.c:4:\d+: This map is defined the old way, struct bpf_map_def in SEC\("maps"\), which libbpf 1\.0 removed/,
    );
  });

  test('a per-CPU counter keeps one value per CPU and their total in the CLI’s report', async () => {
    const report = await run(`${CORE}
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} execs SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int count_exec(void *ctx)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&execs, &zero);
	if (n)
		*n += 1;
	return 0;
}
${LICENSE}`);
    assert.equal(report.ok, true, why(report));
    const entry = report.maps.execs?.[0];
    assert.ok(entry?.perCpu, JSON.stringify(report.maps));
    assert.equal(entry.perCpu.length, Collection.possibleCpus());
    // veristat's figure, from the kernel's own count for the loaded program.
    assert.ok((report.programs[0]?.verifiedInstructions ?? 0) >= 1, JSON.stringify(report.programs));
    // And the rest of veristat's figures, from the program's own log at BPF_LOG_STATS.
    const figures = report.programs[0]?.verifier;
    assert.equal(figures?.processedInsns, report.programs[0]?.verifiedInstructions, JSON.stringify(report.programs));
    // The u32 key is on its stack.
    assert.ok(typeof figures?.verificationUs === 'number' && (figures.stackDepth ?? 0) >= 4, JSON.stringify(figures));
    assert.equal(
      (entry.perCpu as number[]).reduce((sum, n) => sum + n, 0),
      entry.value,
    );
  });

  test('a refused program still has its figures: the one the verifier walked and stopped', async () => {
    const report = await run(`${CORE}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} seen SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int counts_fine(void *ctx)
{
	u32 key = 1;
	u64 *n = bpf_map_lookup_elem(&seen, &key);
	if (n)
		*n += 1;
	return 0;
}

SEC("tp/syscalls/sys_enter_execve")
int forgets_null(void *ctx)
{
	u32 key = 2;
	u64 *n = bpf_map_lookup_elem(&seen, &key);
	*n += 1;
	return 0;
}
${LICENSE}`);
    assert.equal(report.ok, false);
    assert.equal(report.stage, 'load');
    const refused = report.programs.find((p) => p.name === 'forgets_null');
    assert.ok(refused?.verifier && refused.verifier.processedInsns > 0, JSON.stringify(report.programs));
    // The one loaded before it was unloaded with the object: no figures to claim.
    assert.equal(report.programs.find((p) => p.name === 'counts_fine')?.verifier, undefined);
  });

  test('--verifier-steps gives the walk and its control flow: the blocks, and the path to the rejection behind a branch', async () => {
    const content = readFileSync(new URL('../verifier/fixtures/sometimes_too_far.bpf.c', import.meta.url), 'utf8');
    const report = await runRemote({ server: backend.url, files: [{ name: 'tool.bpf.c', content }], seeds: [], seconds: 1, verifierSteps: true });
    assert.equal(report.ok, false);
    const walk = report.verifierSteps!;
    const flow = report.verifierFlow!;
    assert.ok(flow.blocks.length >= 3, JSON.stringify(flow.blocks));
    assert.equal(flow.failurePath.at(-1), walk.failure?.step);
    // The failing store is in the last block on the path, on its C line.
    const failing = walk.steps[walk.failure!.step]!;
    assert.equal(failing.source?.line, content.split('\n').findIndex((l) => l.includes('v[4] = 2;')) + 1);
    assert.ok(
      flow.edges.some((e) => e.onFailurePath && e.kind === 'jump'),
      JSON.stringify(flow.edges),
    );
    // The failing instruction belongs to a block of the flow.
    assert.ok(flow.blocks.some((b) => b.first <= failing.insn && failing.insn <= b.last));
  });

  test('a value holding a bpf_spin_lock: seeded and read under the lock, the lock named, not shown as a number', async () => {
    const files = [
      {
        name: 'tool.bpf.c',
        content: `${CORE}
struct account {
	struct bpf_spin_lock lock;
	u64 balance;
	u32 owner;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, struct account);
} accounts SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int on_exec(void *ctx)
{
	return 0;
}
${LICENSE}`,
      },
    ];
    const report = await runRemote({ server: backend.url, files, seeds: [{ map: 'accounts', key: 1, value: { balance: 100, owner: 7 } }], seconds: 0.5 });
    assert.equal(report.ok, true, why(report));
    assert.deepEqual(report.maps.accounts, [{ key: 1, value: { lock: 'bpf_spin_lock', balance: 100, owner: 7 } }]);
    // A seed that tries to set the lock is told why it cannot.
    const locking = await runRemote({ server: backend.url, files, seeds: [{ map: 'accounts', key: 1, value: { lock: 1, balance: 5 } }], seconds: 0 });
    assert.equal(locking.ok, false);
    assert.match(locking.error?.message ?? '', /lock is a bpf_spin_lock, which only the kernel sets: leave it out/);
  });

  test('a perf_event program asked to count cycles on a machine without hardware counters gets a sentence that says so', async () => {
    const report = await run(
      `${CORE}
SEC("perf_event")
int on_cycles(void *ctx)
{
	return 0;
}

SEC("tp/syscalls/sys_enter_execve")
int on_exec(void *ctx)
{
	return 0;
}
${LICENSE}`,
      0.5,
      { perfEvent: 'cycles' },
    );
    assert.equal(report.ok, true, why(report));
    const program = report.programs.find((p) => p.name === 'on_cycles');
    // A machine with a PMU counts cycles; this one (a VM) has none, and the page must say why.
    if (existsSync('/sys/bus/event_source/devices/cpu')) assert.equal(program?.attached, true, JSON.stringify(program));
    else {
      assert.equal(program?.attached, false);
      assert.equal(
        program?.attachError,
        'cycles is a hardware counter, and this machine has none to give (a VM often has no PMU): choose cpu-clock, the software clock, to sample here',
      );
    }
  });
});

describe('uprobes and USDT probes on the host kernel', () => {
  test('a uprobe, a uretprobe and a USDT probe on the target program see its calls, in the process the Run started', async () => {
    const report = await runRemote({
      server: backend.url,
      files: [],
      example: 'target_uprobes',
      seeds: [],
      seconds: 30,
      until: (r) => ['playground_add(', 'playground_add returned', 'tick: round'].every((p) => r.trace.some((l) => l.startsWith(p))),
    });
    assert.equal(report.ok, true, why(report));
    assert.deepEqual(
      report.programs.map((p) => [p.name, p.attached]),
      [
        ['add_entry', true],
        ['add_return', true],
        ['tick', true],
      ],
    );
    // The target calls playground_add(round, 2 * round): the arguments, the sum and the USDT's are read right.
    const call = report.trace.map((l) => /^playground_add\((\d+), (\d+)\)$/.exec(l)).find(Boolean);
    assert.ok(call && Number(call[2]) === 2 * Number(call[1]), report.trace.slice(0, 6).join('\n'));
    const returned = report.trace.map((l) => /^playground_add returned (\d+)$/.exec(l)).find(Boolean);
    assert.ok(returned && Number(returned[1]) % 3 === 0, report.trace.slice(0, 6).join('\n'));
    const tick = report.trace.map((l) => /^tick: round (\d+), sum (\d+)$/.exec(l)).find(Boolean);
    assert.ok(tick && Number(tick[2]) === 3 * Number(tick[1]), report.trace.slice(0, 6).join('\n'));
    // Stop ends the target program too (its comm is the name cut to 15 bytes).
    await waitFor(() => !targetRunning(), 5_000, 'the target program to end with the Run');
  });

  test('a bare SEC("uprobe") takes its function from the attach settings and reads a string argument', async () => {
    const report = await run(
      `${CORE}
SEC("uprobe")
int BPF_UPROBE(greet, const char *name)
{
	char text[16];

	bpf_probe_read_user_str(text, sizeof(text), name);
	bpf_printk("greet %s", text);
	return 0;
}
${LICENSE}`,
      30,
      { function: 'playground_greet' },
      (r) => r.trace.some((l) => l.startsWith('greet ')),
    );
    assert.equal(report.ok, true, why(report));
    assert.ok(
      report.trace.some((l) => /^greet (ada|grace|linus|margaret|ken)$/.test(l)),
      report.trace.slice(0, 6).join('\n'),
    );
  });

  test("a uprobe on the host's libc is refused with its reason and stays detached; the object's other programs run", async () => {
    const report = await run(`${CORE}
SEC("uprobe//lib/x86_64-linux-gnu/libc.so.6:execve")
int BPF_UPROBE(everyones_execs, const char *path)
{
	bpf_printk("libc execve");
	return 0;
}

SEC("tp/syscalls/sys_enter_execve")
int on_exec(void *ctx)
{
	bpf_printk("tracepoint execve");
	return 0;
}
${LICENSE}`);
    assert.equal(report.ok, true, why(report));
    const uprobe = report.programs.find((p) => p.name === 'everyones_execs');
    assert.equal(uprobe?.attached, false);
    assert.match(
      uprobe?.attachError ?? '',
      /^on the host kernel, uprobes may only watch the playground's target program \(.+playground-target\): on \/lib\/x86_64-linux-gnu\/libc\.so\.6 they would see other users' processes\. Pick a VM kernel/,
    );
    assert.ok(report.trace.some((l) => l === 'tracepoint execve'));
    assert.ok(!report.trace.some((l) => l === 'libc execve'), 'the refused uprobe fired');
  });
});
