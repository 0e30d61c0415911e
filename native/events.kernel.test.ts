// Kernel integration tests for Collection.consume(): real BPF C compiled with
// clang writes into ring buffers and perf event arrays, and the test reads
// the records back on its own event loop.
// Needs: root and a kernel that loads BPF. Run: node --import tsx --test native/events.kernel.test.ts
import assert from 'node:assert/strict';
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileBpf, compileBpfFile, openCollection, u32, waitUntil as pollUntil } from './test-support.ts';

/** Polls often: consumers deliver on event-loop turns. */
const waitUntil = (condition: () => boolean, timeoutMs: number) => pollUntil(condition, timeoutMs, 10);
import { Worker } from 'node:worker_threads';

import { BpfError, Collection, type EventBatch } from './index.ts';

// Program names are unique per run (another run may have the same loaded).
const suffix = randomBytes(3).toString('hex');
const RING = `pg_rb_${suffix}`;
const PERF = `pg_pf_${suffix}`;
const FLOOD = `pg_fl_${suffix}`;
const PERF_FLOOD = `pg_pfl_${suffix}`;

// struct event { __u32 pid; char comm[16]; }
const EVENT_SIZE = 20;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./consume.fixture.ts', import.meta.url));
let workDir = '';
let touchFile = '';

before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'bpf-events-test-'));
  touchFile = join(workDir, 'touch');
  writeFileSync(touchFile, 'x');
  // libbpf resolves tracepoint ids through tracefs, which is not mounted at boot here.
  if (!existsSync('/sys/kernel/tracing/events')) {
    execFileSync('mount', ['-t', 'tracefs', 'none', '/sys/kernel/tracing']);
  }
});

after(() => {
  rmSync(workDir, { recursive: true, force: true });
});

const eventStruct = `
struct event {
	__u32 pid;
	char comm[16];
};
`;

/** Every openat on the machine reserves a struct event in a 256 KiB ring. */
const ringSource = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
${eventStruct}
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} not_events SEC(".maps");

SEC("tp/syscalls/sys_enter_openat")
int ${RING}(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

/** The same event through bpf_perf_event_output; libbpf sizes the array to the CPU count. */
const perfSource = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
${eventStruct}
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("tp/syscalls/sys_enter_openat")
int ${PERF}(void *ctx)
{
	struct event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

/**
 * Every syscall of one process reserves 8 bytes in a ring of ringSize bytes
 * and counts what it tried and what did not fit.
 */
function floodSource(ringSize: number): string {
  return `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 target_tgid = 0;

struct {
	__u64 attempted;
	__u64 dropped;
} stats = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, ${ringSize});
} flood SEC(".maps");

SEC("raw_tp/sys_enter")
int ${FLOOD}(void *ctx)
{
	__u64 *e;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	__sync_fetch_and_add(&stats.attempted, 1);
	e = bpf_ringbuf_reserve(&flood, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&stats.dropped, 1);
		return 0;
	}
	*e = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

/** Every syscall of one process writes 8 bytes into a perf event array. */
const perfFloodSource = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 target_tgid = 0;
__u64 attempted = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("raw_tp/sys_enter")
int ${PERF_FLOOD}(void *ctx)
{
	__u64 now = bpf_ktime_get_ns();

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	__sync_fetch_and_add(&attempted, 1);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &now, sizeof(now));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

function compile(name: string, source: string): Buffer {
  return compileBpf(workDir, name, source);
}

function touch(times: number): void {
  for (let i = 0; i < times; i++) closeSync(openSync(touchFile, 'r'));
}

function comm(record: Buffer): string {
  const raw = record.subarray(4, 20);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? raw.length : nul).toString('latin1');
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a ring buffer streams the records a tracepoint program submits', async (t) => {
  const c = openCollection(t, compile('ring', ringSource));
  await c.load();
  const batches: EventBatch[] = [];
  const stop = c.consume('events', (batch) => batches.push(batch));
  t.after(stop);
  assert.equal(c.attachAll().find((r) => r.program === RING)?.attached, true);

  const ours = () => batches.flatMap((b) => b.records).filter((r) => r.readUInt32LE(0) === process.pid);
  touch(5);
  assert.ok(await waitUntil(() => ours().length >= 5, 3000), `got ${ours().length} of our records`);

  for (const batch of batches) {
    assert.equal(batch.lost, 0);
    assert.ok(batch.records.length > 0 && batch.records.length <= 1024);
    for (const record of batch.records) {
      assert.ok(Buffer.isBuffer(record));
      assert.equal(record.length, EVENT_SIZE);
    }
  }
  for (const record of ours()) assert.equal(comm(record), 'node');
});

test('a perf event array streams bpf_perf_event_output records', async (t) => {
  const c = openCollection(t, compile('perf', perfSource));
  await c.load();
  const events = c.maps().find((m) => m.name === 'events')!;
  assert.equal(events.typeName, 'perf_event_array');
  assert.equal(events.maxEntries, Collection.possibleCpus());

  const batches: EventBatch[] = [];
  const stop = c.consume('events', (batch) => batches.push(batch), { perfPages: 4, maxBatch: 64 });
  t.after(stop);
  c.attachAll();

  const ours = () => batches.flatMap((b) => b.records).filter((r) => r.readUInt32LE(0) === process.pid);
  touch(5);
  assert.ok(await waitUntil(() => ours().length >= 5, 3000), `got ${ours().length} of our records`);
  for (const batch of batches) {
    assert.equal(typeof batch.lost, 'number');
    assert.ok(batch.records.length <= 64);
    // Perf raw samples are padded to 8 bytes with their u32 size header.
    for (const record of batch.records) assert.ok(record.length >= EVENT_SIZE);
  }
  for (const record of ours()) assert.equal(comm(record), 'node');

  // Stopping and subscribing again in the same tick: the old buffer's
  // teardown must not clear the new one's per-CPU slots.
  stop();
  const again: EventBatch[] = [];
  const stopAgain = c.consume('events', (batch) => again.push(batch));
  t.after(stopAgain);
  const oursAgain = () => again.flatMap((b) => b.records).filter((r) => r.readUInt32LE(0) === process.pid);
  await tick();
  touch(3);
  assert.ok(await waitUntil(() => oursAgain().length >= 3, 3000), `got ${oursAgain().length} after resubscribing`);
});

test('consume() checks the state and the map type', async (t) => {
  const c = openCollection(t, compile('checks', ringSource));
  assert.throws(
    () => c.consume('events', () => {}),
    (error: unknown) => {
      assert.ok(error instanceof BpfError);
      assert.equal(error.code, 'ENOTLOADED');
      return true;
    },
  );
  const loading = c.load();
  assert.throws(() => c.consume('events', () => {}), { name: 'BpfError', code: 'EBUSY' });
  await loading;
  assert.throws(() => c.consume('not_events', () => {}), {
    name: 'TypeError',
    message: /map 'not_events' is a array map; consume\(\) reads ringbuf and perf_event_array maps/,
  });
  assert.throws(() => c.consume('nope', () => {}), { name: 'BpfError', code: 'ENOENT' });
  assert.throws(() => c.consume('events', () => {}, { perfPages: 3 }), RangeError);
  assert.throws(() => c.consume('events', () => {}, { maxBatch: 0 }), RangeError);

  const stop = c.consume('events', () => {});
  assert.throws(() => c.consume('events', () => {}), { name: 'BpfError', code: 'EBUSY' });
  stop();
  stop();
  c.consume('events', () => {})();

  c.close();
  assert.throws(() => c.consume('events', () => {}), { code: 'ECLOSED' });
});

test('unsubscribing and closing are safe twice, from the callback, and with records pending', async (t) => {
  const c = openCollection(t, compile('stop', ringSource));
  await c.load();
  c.attachAll();

  // Unsubscribe from inside the callback while more slices are pending.
  let calls = 0;
  const stop = c.consume(
    'events',
    () => {
      calls++;
      stop();
      stop();
    },
    { maxBatch: 1 },
  );
  touch(10);
  assert.ok(await waitUntil(() => calls > 0, 3000));
  touch(10);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(calls, 1, 'no batch after unsubscribing');

  // Records pending in the kernel when close() runs: no callback, no crash.
  let late = 0;
  const stopLate = c.consume('events', () => late++);
  await tick();
  touch(20);
  const beforeClose = late;
  c.close();
  c.close();
  stopLate();
  stopLate();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(late, beforeClose, 'no batch after close()');
  assert.equal(c.closed, true);

  // close() from inside the callback, with more slices of the same pass to go.
  const d = openCollection(t, compile('stop-inside', ringSource));
  await d.load();
  let inside = 0;
  const stopInside = d.consume(
    'events',
    () => {
      inside++;
      d.close();
    },
    { maxBatch: 1 },
  );
  d.attachAll();
  touch(10);
  assert.ok(await waitUntil(() => inside > 0, 3000));
  touch(10);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(inside, 1);
  stopInside();
});

test('an exception in the callback is an uncaught exception and the consumer carries on', async (t) => {
  const c = openCollection(t, compile('throws', ringSource));
  await c.load();
  const uncaught: unknown[] = [];
  // node:test reports uncaught exceptions as failures unless someone handles them.
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  t.after(() => {
    process.off('uncaughtException', onUncaught);
    for (const listener of listeners) process.on('uncaughtException', listener);
  });

  let calls = 0;
  c.consume('events', () => {
    calls++;
    throw new Error(`boom ${calls}`);
  });
  c.attachAll();
  touch(3);
  assert.ok(await waitUntil(() => calls >= 1, 3000));
  touch(3);
  assert.ok(await waitUntil(() => calls >= 2, 3000), 'still consuming after a throw');
  assert.ok(uncaught.length >= 2);
  assert.match((uncaught[0] as Error).message, /^boom 1$/);
});

test('a flood into a 4 KiB ring arrives in batches no bigger than maxBatch', async (t) => {
  const c = openCollection(t, compile('flood', floodSource(4096)));
  c.setInitialValue('.rodata', u32(process.pid));
  await c.load();
  const sizes: number[] = [];
  let received = 0;
  const maxBatch = 16;
  c.consume(
    'flood',
    (batch) => {
      assert.equal(batch.lost, 0);
      sizes.push(batch.records.length);
      for (const record of batch.records) assert.equal(record.length, 8);
      received += batch.records.length;
    },
    { maxBatch },
  );
  c.attachAll();

  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < 400; i++) statSync('/');
    await tick();
  }
  c.detach();

  const stats = () => {
    const bss = c.lookup('.bss', u32(0))!;
    return { attempted: Number(bss.readBigUInt64LE(0)), dropped: Number(bss.readBigUInt64LE(8)) };
  };
  // Every record the program submitted reaches us exactly once.
  assert.ok(await waitUntil(() => received + stats().dropped === stats().attempted, 3000), `received ${received}, ${JSON.stringify(stats())}`);
  assert.ok(stats().dropped > 0, 'the ring overflowed');
  assert.ok(
    sizes.every((n) => n >= 1 && n <= maxBatch),
    `batch sizes ${sizes}`,
  );
  assert.ok(sizes.filter((n) => n === maxBatch).length > 10, 'full batches came in');
});

test('a perf buffer too small for a flood reports lost records', async (t) => {
  const c = openCollection(t, compile('perf-flood', perfFloodSource));
  c.setInitialValue('.rodata', u32(process.pid));
  await c.load();
  let received = 0;
  let lost = 0;
  let lostOnly = 0;
  c.consume(
    'events',
    (batch) => {
      received += batch.records.length;
      lost += batch.lost;
      if (batch.records.length === 0) lostOnly++;
      assert.ok(batch.records.length > 0 || batch.lost > 0, 'no empty batches');
      for (const record of batch.records) assert.ok(record.length >= 8);
    },
    { perfPages: 1 },
  );
  c.attachAll();
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 2000; i++) statSync('/');
    await tick();
  }
  // The kernel writes a lost record when there is room again: a few quiet
  // syscalls per CPU let it through.
  assert.ok(await waitUntil(() => lost > 0, 3000), `received ${received}, lost ${lost}`);
  c.detach();
  const attempted = Number(c.lookup('.bss', u32(0))!.readBigUInt64LE(0));
  assert.ok(received > 0);
  assert.ok(received + lost <= attempted, `received ${received} + lost ${lost} > attempted ${attempted}`);
  t.diagnostic(`perf flood: attempted ${attempted}, received ${received}, lost ${lost}, lost-only batches ${lostOnly}`);
});

test('a backlog over 64k records is delivered in maxBatch slices over several loop turns', async (t) => {
  const c = openCollection(t, compile('backlog', floodSource(4 * 1024 * 1024)));
  c.setInitialValue('.rodata', u32(process.pid));
  await c.load();

  // Counts loop turns: setImmediate runs once per turn, between poll phases.
  let turn = 0;
  let counting = true;
  const countTurns = () => {
    turn++;
    if (counting) setImmediate(countTurns);
  };
  setImmediate(countTurns);
  t.after(() => {
    counting = false;
  });

  const perTurn = new Map<number, number>();
  let received = 0;
  let biggest = 0;
  c.consume(
    'flood',
    (batch) => {
      received += batch.records.length;
      biggest = Math.max(biggest, batch.records.length);
      perTurn.set(turn, (perTurn.get(turn) ?? 0) + batch.records.length);
    },
    { maxBatch: 4096 },
  );
  c.attachAll();
  // 100k syscalls in one go: the ring (256k records) holds them all.
  for (let i = 0; i < 100_000; i++) statSync('/');
  c.detach();

  const bss = () => c.lookup('.bss', u32(0))!;
  const attempted = () => Number(bss().readBigUInt64LE(0));
  assert.ok(await waitUntil(() => received === attempted(), 5000), `received ${received} of ${attempted()}`);
  assert.equal(Number(bss().readBigUInt64LE(8)), 0, 'nothing dropped');
  assert.ok(received > 100_000);
  assert.equal(biggest, 4096);
  const turns = [...perTurn.values()];
  assert.ok(Math.max(...turns) <= 65536, `per turn: ${turns}`);
  assert.ok(turns.filter((n) => n === 65536).length >= 1, `one pass stopped at the cap: ${turns}`);
});

test('process exit and worker termination stop a running consumer cleanly', async (t) => {
  const objectPath = compileBpfFile(workDir, 'teardown', ringSource);

  // Main thread: process.exit() with the consumer polling.
  const child = fork(fixture, [objectPath, 'exit'], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const reported = new Promise<{ records: number }>((resolve) => child.once('message', (m) => resolve(m as { records: number })));
  const exit = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
  assert.ok((await reported).records > 0);
  assert.deepEqual(exit, [0, null], stderr);

  // Worker threads: an environment of their own, torn down while polling.
  for (const mode of ['hold', 'exit'] as const) {
    const worker = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(fixture)});`, { eval: true, workerData: [objectPath, mode] });
    const message = await new Promise<{ records: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.ok(message.records > 0);
    const code = mode === 'hold' ? await worker.terminate() : await new Promise<number>((resolve) => worker.once('exit', resolve));
    assert.equal(code, mode === 'hold' ? 1 : 0);
  }
});
