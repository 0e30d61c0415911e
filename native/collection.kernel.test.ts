// Kernel integration tests for the native addon: real BPF C compiled with
// clang, loaded into this machine's kernel, triggered and read back.
// Needs: root and a kernel that loads BPF. Run: node --import tsx --test native/collection.kernel.test.ts
import assert from 'node:assert/strict';
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileBpf, compileBpfFile, openCollection, u32, waitUntil } from './test-support.ts';

import { BpfError, Collection, UpdateFlags } from './index.ts';

// Program names are unique per run: another run on this machine may have the
// same programs loaded, and bpftool is how we check what the kernel holds.
const suffix = randomBytes(3).toString('hex');
const COUNTER = `pg_cnt_${suffix}`;
const XDP = `pg_xdp_${suffix}`;
const REJECTED = `pg_bad_${suffix}`;
const KILLED = `pg_kil_${suffix}`;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
let workDir = '';

before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'bpf-addon-test-'));
  // libbpf resolves tracepoint ids through tracefs, which is not mounted at boot here.
  if (!existsSync('/sys/kernel/tracing/events')) {
    execFileSync('mount', ['-t', 'tracefs', 'none', '/sys/kernel/tracing']);
  }
});

after(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function counterSource(prog: string): string {
  return `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, char[64]);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} pcpu SEC(".maps");

/* A section of its own, so the test knows its exact layout. */
const volatile __u64 increment SEC(".rodata.cfg") = 1;
__u64 execs_seen = 0;

SEC("tracepoint/syscalls/sys_enter_execve")
int ${prog}(void *ctx)
{
	char key[64] = "execve_counter";
	__u64 *value;

	/* Count only once user space has inserted the key. */
	value = bpf_map_lookup_elem(&counts, key);
	if (value)
		__sync_fetch_and_add(value, increment);
	__sync_fetch_and_add(&execs_seen, 1);
	return 0;
}

SEC("xdp")
int ${XDP}(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

const rejectedSource = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* A hash map: recent verifiers know that an array lookup with a constant,
 * in-range key cannot return NULL, and would accept the program. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int ${REJECTED}(void *ctx)
{
	__u32 zero = 0;
	__u64 *value = bpf_map_lookup_elem(&hits, &zero);

	*value += 1; /* no NULL check: the verifier must refuse this */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

function compile(name: string, source: string): Buffer {
  return compileBpf(workDir, name, source);
}

interface BpftoolProg {
  id: number;
  name?: string;
}

function kernelPrograms(): BpftoolProg[] {
  return JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' })) as BpftoolProg[];
}

function kernelHasProgram(name: string): boolean {
  return kernelPrograms().some((p) => p.name === name);
}

// The kernel frees programs asynchronously once the last reference goes.

function counterKey(): Buffer {
  const key = Buffer.alloc(64);
  key.write('execve_counter');
  return key;
}

function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
}

test('open lists programs and maps and exposes the BTF', (t) => {
  const c = openCollection(t, compile('open', counterSource(COUNTER)));

  const programs = c.programs();
  assert.deepEqual(programs.map((p) => p.name).sort(), [COUNTER, XDP].sort());
  const counter = programs.find((p) => p.name === COUNTER)!;
  assert.equal(counter.section, 'tracepoint/syscalls/sys_enter_execve');
  assert.equal(counter.typeName, 'tracepoint');
  assert.equal(counter.autoload, true);
  assert.equal(counter.id, null);
  assert.ok(counter.insnCount > 5);

  const maps = new Map(c.maps().map((m) => [m.name, m]));
  const counts = maps.get('counts')!;
  assert.equal(counts.typeName, 'hash');
  assert.equal(counts.keySize, 64);
  assert.equal(counts.valueSize, 8);
  assert.equal(counts.maxEntries, 16);
  assert.equal(counts.isInternal, false);
  assert.ok(counts.btfKeyTypeId > 0 && counts.btfValueTypeId > 0);
  assert.equal(maps.get('pcpu')!.valueStride, 8 * Collection.possibleCpus());
  assert.equal(maps.get('.bss')!.isInternal, true);
  assert.equal(maps.get('.rodata.cfg')!.valueSize, 8);
  assert.deepEqual(c.initialValue('.rodata.cfg'), u64(1n));

  const btf = c.btf();
  assert.ok(btf && btf.length > 24);
  assert.equal(btf.readUInt16LE(0), 0xeb9f);
});

test('a tracepoint program counts execs once user space has inserted the key', async (t) => {
  const c = openCollection(t, compile('count', counterSource(COUNTER)));
  c.setInitialValue('.rodata.cfg', u64(3n));
  const key = counterKey();

  await assert.rejects(async () => c.update('counts', key, u64(0n)), { code: 'ENOTLOADED' });
  const loaded = await c.load();
  assert.equal(typeof loaded.verifierLog, 'string');
  assert.ok(c.programs().every((p) => typeof p.id === 'number' && p.id > 0));

  // The key flow: insert after load, before attach.
  c.update('counts', key, u64(0n), UpdateFlags.NOEXIST);
  const results = c.attachAll();
  assert.deepEqual(
    results.find((r) => r.program === COUNTER),
    {
      program: COUNTER,
      section: 'tracepoint/syscalls/sys_enter_execve',
      attached: true,
    },
  );
  const xdp = results.find((r) => r.program === XDP)!;
  assert.equal(xdp.attached, false);
  assert.equal(xdp.code, 'EOPNOTSUPP');
  assert.match(xdp.message!, /xdp/);
  assert.ok(kernelHasProgram(COUNTER));

  const execs = 5;
  for (let i = 0; i < execs; i++) execFileSync('/bin/true');
  // Detach first so the value stops moving (other processes exec too).
  c.detach();

  const value = c.lookup('counts', key)!.readBigUInt64LE(0);
  assert.ok(value >= BigInt(execs * 3), `counted ${value}, expected at least ${execs * 3}`);
  assert.equal(value % 3n, 0n, 'increments come from .rodata.cfg');
  assert.ok(c.lookup('.bss', u32(0))!.readBigUInt64LE(0) >= BigInt(execs));

  execFileSync('/bin/true');
  assert.equal(c.lookup('counts', key)!.readBigUInt64LE(0), value, 'detach() stops counting');

  const dump = await c.dump('counts', 16);
  assert.equal(dump.count, 1);
  assert.equal(dump.batched, true);
  assert.deepEqual(dump.keys, key);
  assert.equal(dump.values.readBigUInt64LE(0), value);
});

test('dumps of array, per-CPU and hash maps use the right strides', async (t) => {
  const c = openCollection(t, compile('dump', counterSource(COUNTER)));
  await c.load();
  const cpus = Collection.possibleCpus();

  for (let i = 0; i < 4; i++) c.update('arr', u32(i), u32(i * 10));
  const arr = await c.dump('arr', 100);
  assert.equal(arr.count, 4);
  assert.equal(arr.batched, true);
  assert.equal(arr.keys.length, 4 * 4);
  assert.equal(arr.values.length, 4 * 4);
  for (let i = 0; i < 4; i++) {
    assert.equal(arr.keys.readUInt32LE(i * 4), i);
    assert.equal(arr.values.readUInt32LE(i * 4), i * 10);
  }

  // Per-CPU values: one 8-byte slot per possible CPU.
  const stride = 8 * cpus;
  for (let i = 0; i < 3; i++) {
    const row = Buffer.alloc(stride);
    for (let cpu = 0; cpu < cpus; cpu++) row.writeUInt32LE(i * 100 + cpu, cpu * 8);
    c.update('pcpu', u32(i), row);
  }
  for (const batch of [true, false]) {
    const pcpu = await c.dump('pcpu', 3, { batch });
    assert.equal(pcpu.batched, batch);
    assert.equal(pcpu.count, 3);
    assert.equal(pcpu.valueStride, stride);
    assert.equal(pcpu.values.length, 3 * stride);
    for (let i = 0; i < 3; i++) {
      for (let cpu = 0; cpu < cpus; cpu++) {
        assert.equal(pcpu.values.readUInt32LE(i * stride + cpu * 8), i * 100 + cpu);
      }
    }
  }
  assert.equal(c.lookup('pcpu', u32(2))!.readUInt32LE(8 * (cpus - 1)), 200 + cpus - 1);

  const bss = await c.dump('.bss', 10);
  assert.equal(bss.count, 1);
  assert.equal(bss.keySize, 4);
  assert.equal(bss.valueStride, 8);

  // Hash maps: the batch and the one-key-at-a-time paths agree.
  const entries = new Map<string, bigint>();
  for (let i = 0; i < 10; i++) {
    const key = Buffer.alloc(64);
    key.write(`key-${i}`);
    entries.set(key.toString('hex'), BigInt(i));
    c.update('counts', key, u64(BigInt(i)));
  }
  const decode = (d: { keys: Buffer; values: Buffer; count: number }) => {
    const out = new Map<string, bigint>();
    for (let i = 0; i < d.count; i++) {
      out.set(d.keys.subarray(i * 64, i * 64 + 64).toString('hex'), d.values.readBigUInt64LE(i * 8));
    }
    return out;
  };
  const batched = await c.dump('counts', 100);
  assert.equal(batched.batched, true);
  assert.deepEqual(decode(batched), entries);
  const iterated = await c.dump('counts', 100, { batch: false });
  assert.equal(iterated.batched, false);
  assert.deepEqual(decode(iterated), entries);
  // A max smaller than the map still returns exactly max entries.
  const three = await c.dump('counts', 3);
  assert.equal(three.count, 3);
  for (const [k, v] of decode(three)) assert.equal(entries.get(k), v);

  const first = Buffer.from([...entries.keys()][0]!, 'hex');
  c.delete('counts', first);
  assert.equal(c.lookup('counts', first), null);
  assert.throws(() => c.delete('counts', first), { name: 'BpfError', code: 'ENOENT', errno: 2 });
});

const queueSource = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 3);
	__type(value, __u32);
} fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 3);
	__type(value, __u32);
} lifo SEC(".maps");

/* Two buckets only: two keys often share one, which a batch of one cannot hold. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} pair SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
`;

test('queue and stack maps: peek leaves the head, push adds, pop takes', async (t) => {
  const c = openCollection(t, compile('queue', queueSource));
  await c.load();
  for (const [map, order] of [
    ['fifo', [1, 2, 3]],
    ['lifo', [3, 2, 1]],
  ] as const) {
    assert.equal(c.peek(map), null, `${map} starts empty`);
    assert.equal(c.pop(map), null);
    for (const n of [1, 2, 3]) c.push(map, u32(n));
    assert.throws(() => c.push(map, u32(4)), { name: 'BpfError', code: 'E2BIG' });
    assert.equal(c.peek(map)!.readUInt32LE(0), order[0]);
    assert.equal(c.peek(map)!.readUInt32LE(0), order[0], 'peeking twice gives the same head');
    assert.deepEqual(
      [c.pop(map), c.pop(map), c.pop(map)].map((b) => b!.readUInt32LE(0)),
      order,
    );
    assert.equal(c.peek(map), null);
  }
  // EXIST makes room in a full queue by dropping its oldest value.
  for (const n of [1, 2, 3]) c.push('fifo', u32(n));
  c.push('fifo', u32(4), UpdateFlags.EXIST);
  assert.equal(c.peek('fifo')!.readUInt32LE(0), 2);
  assert.throws(() => c.peek('pair'), { name: 'TypeError', message: /peek\(\) works on queue and stack maps/ });
  assert.throws(() => c.push('fifo', Buffer.alloc(8)), { name: 'RangeError' });
});

const lockedSource = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct account {
	struct bpf_spin_lock lock;
	__u64 balance;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct account);
} accounts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} plain SEC(".maps");

SEC("tp/syscalls/sys_enter_getpid")
int idle(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('a value holding a bpf_spin_lock is written and read under it (BPF_F_LOCK), which the kernel refuses for other values', async (t) => {
  const c = openCollection(t, compile('locked', lockedSource));
  await c.load();
  const value = Buffer.alloc(16);
  value.writeBigUInt64LE(250n, 8);
  c.update('accounts', u32(1), value, UpdateFlags.LOCK);
  assert.equal(c.lookup('accounts', u32(1), { lock: true })!.readBigUInt64LE(8), 250n);
  for (const batch of [true, false]) {
    const dump = await c.dump('accounts', 4, { lock: true, batch });
    assert.equal(dump.count, 1);
    assert.equal(dump.values.readBigUInt64LE(8), 250n);
  }
  // The flag reaches the kernel: it refuses BPF_F_LOCK on a value with no lock in it.
  c.update('plain', u32(1), Buffer.alloc(8));
  assert.throws(() => c.lookup('plain', u32(1), { lock: true }), { name: 'BpfError', code: 'EINVAL' });
});

test('a batch dump cut inside a hash bucket takes what fits and stays batched', async (t) => {
  const c = openCollection(t, compile('bucket', queueSource));
  await c.load();
  // Half of the key pairs land in one bucket; a batch of one used to give up there.
  for (let pair = 0; pair < 12; pair++) {
    const keys = [pair * 2 + 1, pair * 2 + 2];
    for (const key of keys) c.update('pair', u32(key), u32(key * 10));
    const one = await c.dump('pair', 1);
    assert.equal(one.batched, true);
    assert.equal(one.count, 1);
    const key = one.keys.readUInt32LE(0);
    assert.ok(keys.includes(key));
    assert.equal(one.values.readUInt32LE(0), key * 10);
    const both = await c.dump('pair', 2);
    assert.deepEqual([both.batched, both.count], [true, 2]);
    for (const key of keys) c.delete('pair', u32(key));
  }
});

test('a verifier rejection rejects load() with the verifier log', async (t) => {
  const c = openCollection(t, compile('rejected', rejectedSource));
  await assert.rejects(c.load(), (error: unknown) => {
    assert.ok(error instanceof BpfError);
    assert.equal(error.errno, 13);
    assert.equal(error.code, 'EACCES');
    assert.match(error.message, /^load failed: Permission denied/);
    assert.ok(error.verifierLog);
    assert.match(error.verifierLog, /invalid mem access/);
    assert.match(error.verifierLog, /R0/);
    assert.match(error.libbpfLog, new RegExp(`prog '${REJECTED}'`));
    return true;
  });
  assert.equal(c.loaded, false);
  assert.throws(() => c.lookup('hits', u32(0)), { code: 'ENOTLOADED' });
  await assert.rejects(c.load(), { code: 'ENOTLOADED' });
  assert.equal(kernelHasProgram(REJECTED), false);
});

// Two programs: the first loads, the second is the rejected one, so each needs its own log.
const acceptedThenRejected = rejectedSource.replace(
  'SEC("tracepoint/syscalls/sys_enter_execve")',
  `SEC("tracepoint/syscalls/sys_enter_execve")
int accepted_first(void *ctx)
{
	__u32 zero = 0;
	__u64 *value = bpf_map_lookup_elem(&hits, &zero);

	if (value)
		*value += 1;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")`,
);

test('each program keeps its own verifier figures, and a rejection shows the log of the program refused', async (t) => {
  const loaded = openCollection(t, compile('figures', counterSource(COUNTER)));
  await loaded.load();
  const [counter] = loaded.programs();
  assert.match(counter!.verifierStats ?? '', /^verification time \d+ usec\nstack depth \d+/);
  assert.match(counter!.verifierStats ?? '', /processed \d+ insns .* total_states \d+ peak_states \d+/);

  const mixed = openCollection(t, compile('mixed', acceptedThenRejected));
  assert.deepEqual(
    mixed.programs().map((p) => p.name),
    ['accepted_first', REJECTED],
  );
  await assert.rejects(mixed.load(), (error: unknown) => {
    assert.ok(error instanceof BpfError);
    // The refused program's own log, not the one that loaded before it.
    assert.match(error.verifierLog ?? '', /invalid mem access/);
    return true;
  });
  const [first, refused] = mixed.programs();
  assert.match(first!.verifierStats ?? '', /processed \d+ insns/);
  assert.match(refused!.verifierStats ?? '', /processed \d+ insns/);
  assert.notEqual(first!.verifierStats, refused!.verifierStats);
});

test('too small a verifier log buffer surfaces ENOSPC', async (t) => {
  const c = openCollection(t, compile('small-log', counterSource(COUNTER)), { logLevel: 2, logSize: 128 });
  await assert.rejects(c.load(), (error: unknown) => {
    assert.ok(error instanceof BpfError);
    assert.equal(error.code, 'ENOSPC');
    assert.equal(error.errno, 28);
    return true;
  });
});

test('close() twice is safe and the kernel forgets the programs', async (t) => {
  const c = openCollection(t, compile('close', counterSource(COUNTER)));
  await c.load();
  assert.equal(c.attachAll().find((r) => r.program === COUNTER)?.attached, true);
  assert.equal(kernelHasProgram(COUNTER), true);

  c.close();
  c.close();
  assert.equal(c.closed, true);
  assert.ok(await waitUntil(() => !kernelHasProgram(COUNTER), 2000), `${COUNTER} still loaded`);
  assert.throws(() => c.programs(), { code: 'ECLOSED' });
  assert.throws(() => c.lookup('arr', u32(0)), { code: 'ECLOSED' });
  c.detach();
});

test('close() during load() waits for the load, then frees everything', async (t) => {
  const c = openCollection(t, compile('close-loading', counterSource(COUNTER)));
  const loading = c.load();
  assert.throws(() => c.programs(), { code: 'EBUSY' });
  await assert.rejects(c.load(), { code: 'EBUSY' });
  c.close();
  assert.equal(c.closed, true);
  await assert.rejects(loading, { code: 'ECLOSED' });
  assert.ok(await waitUntil(() => !kernelHasProgram(COUNTER), 2000), `${COUNTER} still loaded`);
});

test('a killed process leaves no program behind', async (t) => {
  const objectPath = compileBpfFile(workDir, 'killed', counterSource(KILLED));
  const child = fork(fileURLToPath(new URL('./hold-attached.fixture.ts', import.meta.url)), [objectPath], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  t.after(() => child.kill('SIGKILL'));

  const report = await new Promise<{ attached: string[]; ids: number[] }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { attached: string[]; ids: number[] }));
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  assert.ok(report.attached.includes(KILLED));
  assert.equal(kernelHasProgram(KILLED), true);

  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.ok(await waitUntil(() => !kernelHasProgram(KILLED), 5000), `${KILLED} outlived its process`);
  const ids = new Set(kernelPrograms().map((p) => p.id));
  assert.ok(report.ids.every((id) => !ids.has(id)));
});
