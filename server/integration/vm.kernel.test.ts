// Needs: root, KVM or QEMU's TCG, and the guest images scripts/setup.sh builds (.cache/vm).
// Every program here runs in a session's own microVM with Debian's 6.12 kernel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ROOT } from '../config.ts';
import type { Backend } from '../backend.ts';
import type { Capability, ServerMessage, SourceFile } from '../../protocol/messages.ts';
import { PlaygroundConnection } from '../cli/connection.ts';
import { runRemote, type RemoteRunReport } from '../cli/remote-run.ts';
import { checkLesson } from '../cli/lesson-command.ts';
import { bundledLessons } from '../lessons/course.ts';
import { helloSource, qemuPidsOf, startVmTestBackend } from './harness.ts';

const KERNEL = '6.12';
/** A Run may wait for its VM to boot: under TCG that is tens of seconds on a busy machine. */
const RUN_MS = 180_000;

let backend: Backend;
before(async () => {
  backend = await startVmTestBackend([KERNEL]);
});
after(() => backend.close());

function program(name: string, body: string, includes = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>'): SourceFile[] {
  return [{ name: `${name}.bpf.c`, content: `${includes}\n\n${body}\n\nchar LICENSE[] SEC("license") = "GPL";\n` }];
}

/** Runs the files in a VM until each prefix has been printed (at most 60 s), and checks that the run went well. */
async function runUntilPrinted(files: SourceFile[], prefixes: string[]): Promise<RemoteRunReport> {
  const printedAll = (r: RemoteRunReport) => prefixes.every((prefix) => r.trace.some((line) => line.startsWith(prefix)));
  const report = await runRemote({ server: backend.url, files, seeds: [], seconds: 60, trigger: 'exec', kernel: KERNEL, until: printedAll });
  assert.equal(report.ok, true, `${report.stage}: ${report.error?.message}\n${report.verifierLog ?? ''}`);
  assert.ok(printedAll(report), `not all of ${prefixes.join(', ')} printed:\n${report.trace.slice(0, 8).join('\n')}`);
  return report;
}

async function until(check: () => boolean, ms = 20_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe(`kernel ${KERNEL} in a VM of its own`, () => {
  test('the server offers it, with its exact release and what it loads', () => {
    const vm = backend.host.kernels.find((k) => k.name === KERNEL);
    assert.ok(vm, JSON.stringify(backend.host.kernels));
    assert.equal(vm.kind, 'vm');
    assert.match(vm.release, /^6\.12\.\d+\+deb12-amd64$/);
    for (const kind of ['kprobe', 'fentry', 'lsm', 'tracepoint']) {
      const capability: Capability | undefined = vm.capabilities.find((c) => c.section === kind);
      assert.equal(capability?.attaches, true, `${kind}: ${JSON.stringify(capability)}`);
    }
  });

  test("hello_execve prints its line for the guest's execs", async () => {
    const report = await runRemote({ server: backend.url, files: [], example: 'hello_execve', seeds: [], seconds: 2, trigger: 'exec', kernel: KERNEL });
    assert.equal(report.ok, true, `${report.stage}: ${report.error?.message}`);
    assert.ok(
      report.trace.some((line) => line.endsWith('Hello, World!')),
      report.trace.slice(0, 5).join('\n'),
    );
  });

  test('execve_counter counts once its key is seeded between load and attach', async () => {
    const report = await runRemote({
      server: backend.url,
      files: [],
      example: 'execve_counter',
      seeds: [],
      trigger: 'exec',
      kernel: KERNEL,
      // A loaded machine runs the emulated guest slowly: the count is waited for, not a fixed time.
      seconds: 60,
      until: (soFar) => Number(soFar.maps.execve_counter?.[0]?.value) >= 1,
    });
    assert.equal(report.ok, true, `${report.stage}: ${report.error?.message}`);
    const entries = report.maps.execve_counter ?? [];
    assert.equal(entries[0]?.key, 'execve_counter');
    assert.ok(Number(entries[0]?.value) >= 1, JSON.stringify(entries));
  });

  test('an object with kprobe and tp_btf variants: the kprobe on an absent function is left out and said, the others attach and fire', async () => {
    const files = program(
      'variants',
      `SEC("kprobe/__playground_no_such_function")
int BPF_KPROBE(old_name)
{
	bpf_printk("kprobe old name");
	return 0;
}

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(on_open)
{
	bpf_printk("kprobe do_sys_openat2");
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p)
{
	bpf_printk("tp_btf sched_process_exec");
	return 0;
}`,
      '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>',
    );
    const report = await runUntilPrinted(files, ['kprobe do_sys_openat2', 'tp_btf sched_process_exec']);
    assert.deepEqual(
      report.changes.map((c) => c.message),
      ['kprobe/__playground_no_such_function: not loaded, this kernel has no such function.'],
    );
    assert.deepEqual(
      report.programs.map((p) => [p.name, p.attached]),
      [
        ['old_name', false],
        ['on_open', true],
        ['on_exec', true],
      ],
    );
  });

  test('a kprobe, an fentry, an fexit and an lsm program attach and fire', async () => {
    const files = program(
      'kinds',
      `SEC("kprobe/do_sys_openat2")
int on_kprobe(void *ctx)
{
	bpf_printk("kprobe do_sys_openat2");
	return 0;
}

SEC("fentry/do_sys_openat2")
int on_fentry(unsigned long long *ctx)
{
	bpf_printk("fentry do_sys_openat2");
	return 0;
}

SEC("fexit/do_sys_openat2")
int on_fexit(unsigned long long *ctx)
{
	bpf_printk("fexit do_sys_openat2");
	return 0;
}

SEC("lsm/file_open")
int on_file_open(unsigned long long *ctx)
{
	bpf_printk("lsm file_open");
	return 0;
}`,
    );
    const report = await runRemote({ server: backend.url, files, seeds: [], seconds: 2, trigger: 'open', kernel: KERNEL });
    assert.equal(report.ok, true, `${report.stage}: ${report.error?.message}\n${report.verifierLog ?? ''}`);
    for (const kind of ['kprobe', 'fentry', 'fexit', 'lsm']) {
      assert.ok(
        report.trace.some((line) => line.startsWith(kind)),
        `${kind} never printed:\n${report.trace.slice(0, 8).join('\n')}`,
      );
    }
  });

  test('two sessions in two VMs each see exactly their own lines, and a reader of every write sees only its guest', async () => {
    const secret = `HOSTSECRET_${randomBytes(4).toString('hex')}`;
    // Session A reads every write() buffer in its kernel, as the attack on the shared kernel did.
    const reader = program(
      'writes',
      `SEC("tp/syscalls/sys_enter_write")
int read_writes(struct trace_event_raw_sys_enter *ctx)
{
	char buf[24] = {};
	bpf_probe_read_user_str(buf, sizeof(buf), (void *)ctx->args[1]);
	bpf_printk("w %s", buf);
	return 0;
}`,
      '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>',
    );
    const a = await PlaygroundConnection.open(backend.url);
    const b = await PlaygroundConnection.open(backend.url);
    // Meanwhile the host writes its secret, again and again.
    const sink = openSync('/dev/null', 'w');
    const writer = setInterval(() => writeSync(sink, `${secret}\n`), 20);
    try {
      const [ra, rb] = await Promise.all([
        a.startRun(reader, [], RUN_MS, KERNEL),
        b.startRun(
          program('from_b', 'SEC("tp/syscalls/sys_enter_execve")\nint from_b(void *ctx)\n{\n\tbpf_printk("from b");\n\treturn 0;\n}'),
          [],
          RUN_MS,
          KERNEL,
        ),
      ]);
      assert.equal(ra.outcome?.type === 'run_state' && ra.outcome.state, 'running', JSON.stringify(ra.outcome));
      assert.equal(rb.outcome?.type === 'run_state' && rb.outcome.state, 'running', JSON.stringify(rb.outcome));
      const linesOf = (c: PlaygroundConnection) => c.inbox.flatMap((m: ServerMessage) => (m.type === 'trace' ? m.lines.map((l) => l.text) : []));
      for (let i = 0; i < 10; i++) b.send({ type: 'trigger', what: 'exec' });
      await until(() => linesOf(b).includes('from b') && linesOf(a).some((l) => l.startsWith('w ')));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.ok(!linesOf(a).some((l) => l.includes(secret)), "the host's writes reached a VM session");
      assert.ok(!linesOf(a).includes('from b'), "B's line reached A");
      assert.ok(
        linesOf(b).every((l) => l === 'from b'),
        `B saw lines not its own: ${linesOf(b)
          .filter((l) => l !== 'from b')
          .slice(0, 3)}`,
      );
    } finally {
      clearInterval(writer);
      closeSync(sink);
      a.close();
      b.close();
    }
  });

  test('every lesson of every course passes its check in one VM, which the session keeps from Run to Run', async () => {
    const connection = await PlaygroundConnection.open(backend.url, 'test');
    try {
      for (const folder of bundledLessons()) {
        const solved = await checkLesson(connection, folder, folder.solution, KERNEL);
        assert.equal(solved.pass, true, `${folder.lesson.name}: ${solved.message}`);
      }
      // One session, one VM: no Run after the first waited for one (a wait is sent as the `booting` state).
      const states = connection.inbox.flatMap((m) => (m.type === 'run_state' ? [m] : []));
      const runs = [...new Set(states.filter((m) => m.state === 'running').map((m) => m.runId))];
      assert.equal(runs.length, bundledLessons().length);
      const booted = new Set(states.filter((m) => m.state === 'booting').map((m) => m.runId));
      assert.deepEqual(
        runs.slice(1).filter((id) => booted.has(id)),
        [],
        'later Runs waited for a VM',
      );
    } finally {
      connection.close();
    }
  });

  test("in a VM a uprobe may watch any guest binary: libc's execve in every process, and the target program's USDT probe", async () => {
    const files = program(
      'guest_probes',
      `SEC("uprobe//lib/x86_64-linux-gnu/libc.so.6:execve")
int BPF_UPROBE(any_exec, const char *path)
{
	char text[32];

	bpf_probe_read_user_str(text, sizeof(text), path);
	bpf_printk("libc execve %s", text);
	return 0;
}

SEC("usdt//proc/self/exe:playground:tick")
int BPF_USDT(tick, int round, int sum)
{
	bpf_printk("tick %d %d", round, sum);
	return 0;
}`,
      '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n#include <bpf/usdt.bpf.h>',
    );
    const report = await runUntilPrinted(files, ['libc execve /bin/true', 'tick ']);
    assert.deepEqual(
      report.programs.map((p) => [p.name, p.attached]),
      [
        ['any_exec', true],
        ['tick', true],
      ],
    );
  });

  test("a uprobe on the host's libssl finds no such file: the host's filesystem is not in the guest", async () => {
    const files = program('ssl', 'SEC("uprobe//usr/lib/x86_64-linux-gnu/libssl.so.3:SSL_write")\nint on_ssl_write(void *ctx)\n{\n\treturn 0;\n}');
    const report = await runRemote({ server: backend.url, files, seeds: [], seconds: 0.5, kernel: KERNEL });
    assert.equal(report.ok, false);
    assert.equal(report.stage, 'attach');
    assert.match(report.error?.message ?? '', /on_ssl_write/);
  });

  test('a program that kills every process in the guest, init too, ends only its VM, and the session is told in one sentence', async () => {
    const files = program('panic', 'SEC("tp/raw_syscalls/sys_enter")\nint kill_everyone(void *ctx)\n{\n\tbpf_send_signal(9);\n\treturn 0;\n}');
    const connection = await PlaygroundConnection.open(backend.url);
    try {
      const runId = connection.send({ type: 'run', files, seeds: [], kernel: KERNEL });
      const ended = await connection.waitFor(
        (m): m is Extract<ServerMessage, { type: 'run_state' }> => m.type === 'run_state' && m.runId === runId && m.state === 'error',
        RUN_MS,
      );
      assert.ok(ended, 'the run did not end');
      assert.match(ended.error?.message ?? '', /^Your session's VM stopped \((the guest kernel panicked|the guest's agent stopped)/, ended.error?.message);
    } finally {
      connection.close();
    }
    // The backend goes on: the next Run gets a fresh VM.
    const again = await runRemote({ server: backend.url, files: [], example: 'hello_execve', seeds: [], seconds: 1, trigger: 'exec', kernel: KERNEL });
    assert.equal(again.ok, true, again.error?.message);
  });

  test('a killed backend leaves no QEMU process behind', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/integration/backend-child.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PLAYGROUND_TEST_VM: KERNEL },
    });
    try {
      await new Promise<string>((resolve, reject) => {
        child.stdout!.setEncoding('utf8');
        child.stdout!.once('data', (line: string) => resolve(line.trim()));
        child.once('exit', () => reject(new Error('the backend child exited early')));
      });
      await until(() => qemuPidsOf(child.pid!).length > 0, 30_000, 'the backend to start its VM');
      child.kill('SIGKILL');
      await until(() => qemuPidsOf(child.pid!).length === 0, 15_000, 'its QEMU processes to go with it');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe("kernel 6.1 (Debian 12's own) in the smallest VM, one at a time", () => {
  const MEMORY_MIB = 160;
  const CALL_TIMEOUT_S = 30;
  let older: Backend;
  before(async () => {
    older = await startVmTestBackend(['6.1'], 1, (config) => {
      config.vm.memoryMiB = MEMORY_MIB;
      config.vm.maxVms = 1;
      config.vm.callTimeoutMs = CALL_TIMEOUT_S * 1000;
      // Out of the way, so the stalled guest meets the VM's watchdog rather than being saved by the budget.
      config.limits.cpuBudget = 1000;
    });
  });
  after(() => older.close());

  test('it is offered with its release, and a CO-RE program reads task_struct in it', async () => {
    const vm = older.host.kernels.find((k) => k.name === '6.1');
    assert.match(vm?.release ?? '', /^6\.1\.\d+-\d+-amd64$/, JSON.stringify(older.host.kernels));
    const report = await runRemote({ server: older.url, files: [], example: 'exec_parent_core', seeds: [], seconds: 3, trigger: 'exec', kernel: '6.1' });
    assert.equal(report.ok, true, `${report.stage}: ${report.error?.message}`);
    assert.ok(
      report.trace.some((l) => /^exec \S+ pid=\d+ ppid=\d+$/.test(l)),
      report.trace.slice(0, 5).join('\n'),
    );
  });

  test("maps that do not fit in the VM's memory: the kernel's ENOMEM, named with the VM's size, and the VM goes on", async () => {
    // Eight arrays of ~15 MiB each pass every per-map and per-session cap, but not 128 MiB of guest.
    const names = [...Array(8).keys()].map((i) => `big${i}`);
    const maps = names.map(
      (name) =>
        `struct {\n\t__uint(type, BPF_MAP_TYPE_ARRAY);\n\t__uint(max_entries, 3800);\n\t__type(key, __u32);\n\t__type(value, char[4096]);\n} ${name} SEC(".maps");`,
    );
    const files = program(
      'big',
      `${maps.join('\n\n')}\n\nSEC("tp/syscalls/sys_enter_execve")\nint touch(void *ctx)\n{\n\t__u32 key = 0;\n${names.map((n) => `\tbpf_map_lookup_elem(&${n}, &key);`).join('\n')}\n\treturn 0;\n}`,
    );
    const report = await runRemote({ server: older.url, files, seeds: [], seconds: 1, kernel: '6.1' });
    assert.equal(report.ok, false);
    assert.equal(report.stage, 'load');
    assert.match(
      report.error?.message ?? '',
      new RegExp(
        `^The kernel ran out of memory creating map big\\d \\(ENOMEM\\); the session's VM has ${MEMORY_MIB} MiB of memory in all \\(vm\\.memoryMiB\\)\\. Give it fewer max_entries, or a smaller value\\.$`,
      ),
    );
    const again = await runRemote({ server: older.url, files: [], example: 'hello_execve', seeds: [], seconds: 1, trigger: 'exec', kernel: '6.1' });
    assert.equal(again.ok, true, again.error?.message);
  });

  test('with no CPU budget, a program that stalls its guest (8 million loop turns per syscall) ends with its VM, which stopped answering', async () => {
    const files = program(
      'stall',
      `static long spin(__u32 index, void *data)\n{\n\treturn 0;\n}\n\nSEC("tp/raw_syscalls/sys_enter")\nint stall_every_syscall(void *ctx)\n{\n\tbpf_loop(1 << 23, spin, 0, 0);\n\treturn 0;\n}`,
    );
    const connection = await PlaygroundConnection.open(older.url);
    try {
      const runId = connection.send({ type: 'run', files, seeds: [], kernel: '6.1' });
      const ended = await connection.waitFor(
        (m): m is Extract<ServerMessage, { type: 'run_state' }> => m.type === 'run_state' && m.runId === runId && m.state === 'error',
        RUN_MS,
      );
      assert.match(
        ended?.error?.message ?? '',
        new RegExp(`^Your session's VM stopped \\(it stopped answering: no reply to \\w+ within ${CALL_TIMEOUT_S} s\\)`),
        ended?.error?.message,
      );
    } finally {
      connection.close();
    }
  });

  test('with every VM taken (vm.maxVms), a second Run waits in line, says its place, and runs once the first session ends', async () => {
    const first = await PlaygroundConnection.open(older.url);
    const second = await PlaygroundConnection.open(older.url);
    try {
      const files = [{ name: 'hello.bpf.c', content: helloSource('hello') }];
      const firstRun = first.send({ type: 'run', files, seeds: [], kernel: '6.1' });
      assert.ok(await first.waitFor((m) => m.type === 'run_state' && m.runId === firstRun && m.state === 'running', RUN_MS), 'the first Run did not start');
      const secondRun = second.send({ type: 'run', files, seeds: [], kernel: '6.1' });
      const waiting = await second.waitFor(
        (m): m is Extract<ServerMessage, { type: 'run_state' }> =>
          m.type === 'run_state' && m.runId === secondRun && m.state === 'booting' && m.queuePosition !== undefined,
        RUN_MS,
      );
      assert.equal(waiting?.queuePosition, 1);
      first.close();
      assert.ok(await second.waitFor((m) => m.type === 'run_state' && m.runId === secondRun && m.state === 'running', RUN_MS), 'the second Run did not start');
    } finally {
      first.close();
      second.close();
    }
  });
});
