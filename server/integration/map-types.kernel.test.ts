// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import {
  applyMapDelta,
  type Json,
  type MapEntry,
  type MapMeta,
  type MapSeed,
  type MapSnapshot,
  type PlaygroundError,
  type ServerMessage,
} from '../../protocol/messages.ts';
import type { Backend } from '../backend.ts';
import { PlaygroundConnection } from '../cli/connection.ts';
import { mapDumpChannel, type MapDumpReport } from '../maps/run-maps.ts';
import { refusalOf, startTestBackend } from './harness.ts';

let backend: Backend;
before(async () => {
  backend = await startTestBackend();
});
after(() => backend.close());

const HEADER = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
`;
const LICENSE = `char LICENSE[] SEC("license") = "GPL";\n`;

/**
 * For programs whose values must come in a known order: they count only the
 * execs this backend starts (the test's triggers, one at a time), not those
 * of other processes on the machine. Seed it with {@link OWN_EXECS_SEED}.
 */
const OWN_EXECS = `// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

const volatile pid_t backend_pid = 0;

/* At sys_enter_execve the current task is the child the backend forked */
static __always_inline int started_by_backend(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(task, real_parent, tgid) == backend_pid;
}
`;
/** The backend runs in this process. */
const OWN_EXECS_SEED: MapSeed = { map: '.rodata', key: 0, value: { backend_pid: process.pid } };

/** The kernel's count of possible CPUs: the length of every per-CPU value. */
function possibleCpus(): number {
  return readFileSync('/sys/devices/system/cpu/possible', 'utf8')
    .trim()
    .split(',')
    .reduce((n, range) => {
      const [lo, hi = lo] = range.split('-').map(Number);
      return n + hi! - lo! + 1;
    }, 0);
}

type Reply = { ok: true } | { ok: false; error: PlaygroundError };

/** One program running in a session of its own, with its maps folded frame by frame as the page folds them. */
class Running {
  /** Every frame of each map, in order. */
  readonly frames = new Map<string, MapSnapshot[]>();
  private readonly entries = new Map<string, MapEntry[]>();
  private folded = 0;

  private constructor(
    readonly connection: PlaygroundConnection,
    readonly runId: number,
    readonly maps: MapMeta[],
  ) {}

  static async start(t: TestContext, name: string, source: string, seeds: MapSeed[] = []): Promise<Running> {
    const connection = await PlaygroundConnection.open(backend.url, 'map-types-test');
    t.after(() => connection.close());
    const { runId, outcome: settled } = await connection.startRun([{ name: `${name}.bpf.c`, content: source }], seeds);
    const loaded = connection.inbox.find((m): m is Extract<ServerMessage, { type: 'loaded' }> => m.type === 'loaded' && m.runId === runId);
    const problem = settled?.type === 'run_state' ? settled.error?.message : settled ? settled.error?.message : 'no answer in 60 s';
    assert.ok(settled?.type === 'run_state' && settled.state === 'running', `${name} did not run: ${problem}\n${loaded?.verifierLog ?? ''}`);
    const running = new Running(connection, runId, loaded?.maps ?? []);
    await running.request({ type: 'set_map_interval', ms: 200 });
    return running;
  }

  meta(name: string): MapMeta {
    const meta = this.maps.find((m) => m.name === name);
    assert.ok(meta, `the loaded message lists ${name} (it has ${this.maps.map((m) => m.name).join(', ')})`);
    return meta;
  }

  /** The map's entries after every frame received so far. */
  current(name: string): MapEntry[] | undefined {
    const { inbox } = this.connection;
    for (; this.folded < inbox.length; this.folded++) {
      const m = inbox[this.folded]!;
      if (m.type !== 'maps' || m.runId !== this.runId) continue;
      for (const frame of m.maps) {
        this.entries.set(frame.name, applyMapDelta(this.entries.get(frame.name), frame));
        this.frames.set(frame.name, [...(this.frames.get(frame.name) ?? []), frame]);
      }
    }
    return this.entries.get(name);
  }

  lastFrame(name: string): MapSnapshot | undefined {
    this.current(name);
    return this.frames.get(name)?.at(-1);
  }

  /** Waits until the map's entries pass `check`, triggering the program meanwhile if asked; fails with what it last saw. */
  async waitForMap(
    name: string,
    check: (entries: MapEntry[], frame: MapSnapshot) => boolean,
    options: { trigger?: 'exec' | 'open'; ms?: number } = {},
  ): Promise<MapEntry[]> {
    const deadline = Date.now() + (options.ms ?? 15_000);
    for (;;) {
      const entries = this.current(name);
      const frame = this.lastFrame(name);
      if (entries && frame && check(entries, frame)) return entries;
      const left = deadline - Date.now();
      if (left <= 0)
        assert.fail(`${name} never got there; it shows ${JSON.stringify(entries)?.slice(0, 3000)} (last frame ${JSON.stringify(frame)?.slice(0, 500)})`);
      if (options.trigger) this.connection.send({ type: 'trigger', what: options.trigger });
      await this.connection.waitFor((m) => m.type === 'maps', Math.min(400, left), this.connection.inbox.length);
    }
  }

  entry(name: string, key: Json): MapEntry | undefined {
    const id = JSON.stringify(key);
    return this.current(name)?.find((e) => JSON.stringify(e.key) === id);
  }

  async request(request: Parameters<PlaygroundConnection['request']>[0]): Promise<Reply> {
    return this.connection.request(request);
  }

  async update(map: string, key: Json, value: Json): Promise<Reply> {
    return this.request({ type: 'map_update', map, key, value });
  }

  async remove(map: string, key: Json): Promise<Reply> {
    return this.request({ type: 'map_delete', map, key });
  }
}

function assertOk(reply: Reply, what: string): void {
  assert.equal(reply.ok, true, `${what}: ${refusalOf(reply)?.message}`);
}

function assertMapError(reply: Reply, message: string | RegExp): void {
  assert.equal(reply.ok, false);
  assert.equal(reply.error?.code, 'map_error');
  if (typeof message === 'string') assert.equal(reply.error?.message, message);
  else assert.match(reply.error?.message ?? '', message);
}

const sum = (values: Json[]): number => values.reduce<number>((total, v) => total + Number(v), 0);

describe('every common map type, decoded by BTF in the real kernel', () => {
  test('hash: a struct value with a nested array decodes by field name, and the page can insert and delete', async (t) => {
    const run = await Running.start(
      t,
      'hash',
      `${HEADER}
struct stats {
	__u64 count;
	__u32 pid;
	__u16 slots[4];
	__u8 flags;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct stats);
} by_key SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_exec(void *ctx)
{
	__u32 key = 1;
	struct stats *s = bpf_map_lookup_elem(&by_key, &key);

	if (s) {
		__sync_fetch_and_add(&s->count, 1);
		return 0;
	}
	/* First time: fill every field, with the padding zeroed */
	struct stats init;
	__builtin_memset(&init, 0, sizeof(init));
	init.count = 1;
	init.pid = bpf_get_current_pid_tgid() >> 32;
	init.slots[0] = 1; init.slots[1] = 2; init.slots[2] = 3; init.slots[3] = 4;
	init.flags = 7;
	bpf_get_current_comm(init.comm, sizeof(init.comm));
	bpf_map_update_elem(&by_key, &key, &init, BPF_NOEXIST);
	return 0;
}
${LICENSE}`,
    );
    assert.equal(run.meta('by_key').valueType, 'struct stats');
    assert.deepEqual(
      run.meta('by_key').valueDesc?.fields?.map((f) => f.name),
      ['count', 'pid', 'slots', 'flags', 'comm'],
    );

    await run.waitForMap('by_key', () => run.entry('by_key', 1) !== undefined, { trigger: 'exec' });
    const fromProgram = run.entry('by_key', 1)!.value as Record<string, Json>;
    assert.deepEqual(Object.keys(fromProgram), ['count', 'pid', 'slots', 'flags', 'comm']);
    assert.ok(Number(fromProgram.count) >= 1);
    assert.deepEqual(fromProgram.slots, [1, 2, 3, 4]);
    assert.equal(fromProgram.flags, 7);
    assert.ok(typeof fromProgram.pid === 'number' && fromProgram.pid > 0);
    assert.equal(typeof fromProgram.comm, 'string');

    assertOk(await run.update('by_key', 2, { count: 5, slots: [9, 8], flags: 1, comm: 'from-ui' }), 'insert');
    await run.waitForMap('by_key', () => run.entry('by_key', 2) !== undefined);
    assert.deepEqual(run.entry('by_key', 2)!.value, { count: 5, pid: 0, slots: [9, 8, 0, 0], flags: 1, comm: 'from-ui' });

    assertOk(await run.remove('by_key', 2), 'delete');
    await run.waitForMap('by_key', () => run.entry('by_key', 2) === undefined);
    assertMapError(await run.remove('by_key', 99), 'That key is not in the map.');
  });

  test('array: every index shows, the page sets one, and deleting says why it cannot', async (t) => {
    const run = await Running.start(
      t,
      'array',
      `${HEADER}
struct slot {
	__u64 calls;
	__u32 last_pid;
	char tag[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct slot);
} slots SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int note_exec(void *ctx)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);

	if (!s)
		return 0;
	__sync_fetch_and_add(&s->calls, 1);
	s->last_pid = bpf_get_current_pid_tgid() >> 32;
	__builtin_memcpy(s->tag, "exec", 5);
	return 0;
}
${LICENSE}`,
    );
    await run.waitForMap('slots', () => Number((run.entry('slots', 0)?.value as Record<string, Json>)?.calls) >= 1, { trigger: 'exec' });
    assert.deepEqual(
      run.current('slots')!.map((e) => e.key),
      [0, 1, 2, 3],
    );
    assert.equal((run.entry('slots', 0)!.value as Record<string, Json>).tag, 'exec');
    assert.deepEqual(run.entry('slots', 1)!.value, { calls: 0, last_pid: 0, tag: '' });

    assertOk(await run.update('slots', 3, { calls: 42, tag: 'ui' }), 'set index 3');
    await run.waitForMap('slots', () => (run.entry('slots', 3)?.value as Record<string, Json>)?.calls === 42);
    assert.deepEqual(run.entry('slots', 3)!.value, { calls: 42, last_pid: 0, tag: 'ui' });

    assertMapError(
      await run.remove('slots', 3),
      'Map slots is an array: it always holds all 4 entries, so an entry can be set (to zero, say) but not deleted.',
    );
    assertMapError(await run.update('slots', 4, { calls: 1 }), 'Index 4 is out of range: map slots holds indexes 0 to 3.');
  });

  test('percpu_hash: one value per possible CPU, and their total', async (t) => {
    const cpus = possibleCpus();
    const run = await Running.start(
      t,
      'percpu_hash',
      `${HEADER}
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_exec(void *ctx)
{
	__u32 key = 1;
	__u64 one = 1, *v = bpf_map_lookup_elem(&per_cpu, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&per_cpu, &key, &one, BPF_NOEXIST);
	return 0;
}
${LICENSE}`,
    );
    assert.equal(run.meta('per_cpu').perCpu, true);
    await run.waitForMap('per_cpu', () => Number(run.entry('per_cpu', 1)?.value) >= 3, { trigger: 'exec' });
    const counted = run.entry('per_cpu', 1)!;
    assert.equal(counted.perCpu?.length, cpus);
    assert.equal(counted.value, sum(counted.perCpu!));

    // From the page, the value lands on CPU 0 and the others are zero: the total is what was typed.
    assertOk(await run.update('per_cpu', 7, 10), 'insert');
    await run.waitForMap('per_cpu', () => run.entry('per_cpu', 7) !== undefined);
    assert.deepEqual(run.entry('per_cpu', 7), { key: 7, value: 10, perCpu: [10, ...Array(cpus - 1).fill(0)] });
    assertOk(await run.remove('per_cpu', 7), 'delete');
    await run.waitForMap('per_cpu', () => run.entry('per_cpu', 7) === undefined);
  });

  test('percpu_array: struct values per CPU, added up field by field', async (t) => {
    const cpus = possibleCpus();
    const run = await Running.start(
      t,
      'percpu_array',
      `${HEADER}
struct tally {
	__u64 events;
	__u64 weight;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct tally);
} tallies SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int tally_exec(void *ctx)
{
	__u32 key = 0;
	struct tally *t = bpf_map_lookup_elem(&tallies, &key);

	if (!t)
		return 0;
	t->events += 1;
	t->weight += 10;
	return 0;
}
${LICENSE}`,
    );
    await run.waitForMap('tallies', () => Number((run.entry('tallies', 0)?.value as Record<string, Json>)?.events) >= 3, { trigger: 'exec' });
    const { perCpu, value } = run.entry('tallies', 0)!;
    assert.equal(perCpu?.length, cpus);
    const total = value as Record<string, number>;
    assert.equal(total.events, sum(perCpu!.map((v) => (v as Record<string, Json>).events!)));
    assert.equal(total.weight, total.events * 10);
    assert.equal(run.current('tallies')!.length, 3);

    assertOk(await run.update('tallies', 2, { events: 5, weight: 6 }), 'set index 2');
    await run.waitForMap('tallies', () => (run.entry('tallies', 2)?.value as Record<string, Json>)?.events === 5);
    assert.deepEqual(run.entry('tallies', 2), {
      key: 2,
      value: { events: 5, weight: 6 },
      perCpu: [{ events: 5, weight: 6 }, ...Array(cpus - 1).fill({ events: 0, weight: 0 })],
    });
    assertMapError(await run.remove('tallies', 2), /^Map tallies is an array/);
  });

  test('lru_hash: holds at most max_entries, evicting the least recently used', async (t) => {
    const run = await Running.start(
      t,
      'lru_hash',
      `${HEADER}
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} recent SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_exec(void *ctx)
{
	__u32 key = 1;
	__u64 one = 1, *v = bpf_map_lookup_elem(&recent, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&recent, &key, &one, BPF_NOEXIST);
	return 0;
}
${LICENSE}`,
    );
    await run.waitForMap('recent', () => Number(run.entry('recent', 1)?.value) >= 1, { trigger: 'exec' });
    for (let key = 100; key < 112; key++) assertOk(await run.update('recent', key, key * 2), `insert ${key}`);
    const entries = await run.waitForMap('recent', () => run.entry('recent', 111) !== undefined);
    assert.ok(entries.length <= 8, `an LRU hash of 8 shows ${entries.length} entries`);
    assert.equal(run.lastFrame('recent')!.count, entries.length);
    assert.equal(run.entry('recent', 111)!.value, 222);
    assertOk(await run.remove('recent', 111), 'delete');
    await run.waitForMap('recent', () => run.entry('recent', 111) === undefined);
  });

  test('lru_percpu_hash: per-CPU values and their total', async (t) => {
    const cpus = possibleCpus();
    const run = await Running.start(
      t,
      'lru_percpu_hash',
      `${HEADER}
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} recent_per_cpu SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_exec(void *ctx)
{
	__u32 key = 1, one = 1, *v = bpf_map_lookup_elem(&recent_per_cpu, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&recent_per_cpu, &key, &one, BPF_NOEXIST);
	return 0;
}
${LICENSE}`,
    );
    assert.equal(run.meta('recent_per_cpu').perCpu, true);
    await run.waitForMap('recent_per_cpu', () => Number(run.entry('recent_per_cpu', 1)?.value) >= 2, { trigger: 'exec' });
    const counted = run.entry('recent_per_cpu', 1)!;
    assert.equal(counted.perCpu?.length, cpus);
    assert.equal(counted.value, sum(counted.perCpu!));

    assertOk(await run.update('recent_per_cpu', 9, 4_000_000_000), 'insert');
    await run.waitForMap('recent_per_cpu', () => run.entry('recent_per_cpu', 9) !== undefined);
    assert.deepEqual(run.entry('recent_per_cpu', 9), { key: 9, value: 4_000_000_000, perCpu: [4_000_000_000, ...Array(cpus - 1).fill(0)] });
    assertOk(await run.remove('recent_per_cpu', 9), 'delete');
    await run.waitForMap('recent_per_cpu', () => run.entry('recent_per_cpu', 9) === undefined);
  });

  test('lpm_trie: keys of prefix length and address bytes decode, and longest-prefix lookups count', async (t) => {
    const run = await Running.start(
      t,
      'lpm_trie',
      `${HEADER}
struct ipv4_key {
	__u32 prefixlen;
	__u8 data[4];
};

struct route {
	__u32 hits;
	char via[12];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__type(key, struct ipv4_key);
	__type(value, struct route);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int route_exec(void *ctx)
{
	struct ipv4_key net = { .prefixlen = 24, .data = { 10, 1, 2, 0 } };
	struct ipv4_key host = { .prefixlen = 32, .data = { 10, 1, 2, 3 } };
	struct route first = { .hits = 0, .via = "eth0" };
	struct route *r;

	bpf_map_update_elem(&routes, &net, &first, BPF_NOEXIST);
	/* 10.1.2.3/32 finds 10.1.2.0/24, the longest prefix that matches */
	r = bpf_map_lookup_elem(&routes, &host);
	if (r)
		__sync_fetch_and_add(&r->hits, 1);
	return 0;
}
${LICENSE}`,
    );
    assert.equal(run.meta('routes').keyType, 'struct ipv4_key');
    const net = { prefixlen: 24, data: [10, 1, 2, 0] };
    await run.waitForMap('routes', () => Number((run.entry('routes', net)?.value as Record<string, Json>)?.hits) >= 1, { trigger: 'exec' });
    assert.equal((run.entry('routes', net)!.value as Record<string, Json>).via, 'eth0');

    const lan = { prefixlen: 16, data: [192, 168, 0, 0] };
    assertOk(await run.update('routes', lan, { via: 'lan' }), 'insert a route');
    await run.waitForMap('routes', () => run.entry('routes', lan) !== undefined);
    assert.deepEqual(run.entry('routes', lan)!.value, { hits: 0, via: 'lan' });
    assertOk(await run.remove('routes', lan), 'delete a route');
    await run.waitForMap('routes', () => run.entry('routes', lan) === undefined);
  });

  test('stack_trace: kernel frames with their symbols, user frames as addresses', async (t) => {
    const run = await Running.start(
      t,
      'stack_trace',
      `${HEADER}
#define MAX_DEPTH 127

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 256);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* [0]: the first kernel stack id + 1, [1]: the first user stack id + 1 (0: none yet; 0 is a valid id).
 * Set once, so the stacks they name stay the ones the test reads. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __s32);
} first_ids SEC(".maps");

static void keep_first(__u32 which, __s32 id)
{
	__s32 *slot = bpf_map_lookup_elem(&first_ids, &which);

	if (slot && *slot == 0 && id >= 0)
		*slot = id + 1;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int where_from(void *ctx)
{
	keep_first(0, bpf_get_stackid(ctx, &stacks, 0));
	keep_first(1, bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK));
	return 0;
}
${LICENSE}`,
    );
    assert.equal(run.meta('stacks').writable, false);
    const ids = () => run.current('first_ids')?.map((e) => Number(e.value) - 1) ?? [];
    await run.waitForMap('stacks', () => ids().length === 2 && ids().every((id) => id >= 0 && run.entry('stacks', id) !== undefined), { trigger: 'exec' });
    const [kernelId, userId] = ids() as [number, number];

    type Frame = { addr: string; symbol?: string };
    const kernelFrames = run.entry('stacks', kernelId)!.value as Frame[];
    assert.ok(kernelFrames.length > 1, JSON.stringify(kernelFrames));
    for (const frame of kernelFrames) {
      assert.match(frame.addr, /^0xffff[0-9a-f]{12}$/);
      assert.match(frame.symbol ?? '', /^[\w.$]+\+0x[0-9a-f]+( \[\w+\])?$/, JSON.stringify(frame));
    }
    assert.ok(
      kernelFrames.some((f) => /^(do_syscall_64|entry_SYSCALL_64\w*|x64_sys_call)\+/.test(f.symbol!)),
      JSON.stringify(kernelFrames),
    );

    const userFrames = run.entry('stacks', userId)!.value as Frame[];
    assert.ok(userFrames.length >= 1);
    for (const frame of userFrames) {
      assert.deepEqual(Object.keys(frame), ['addr']);
      assert.ok(BigInt(frame.addr) < 0x8000_0000_0000n, frame.addr);
    }

    assertMapError(await run.update('stacks', kernelId, []), 'Map stacks (stack_trace) cannot be written from user space here.');
    assertOk(await run.remove('stacks', userId), 'delete a stack');
    await run.waitForMap('stacks', () => run.entry('stacks', userId) === undefined);
  });

  test('queue: the head shows without being taken; the page pushes and pops', async (t) => {
    const run = await Running.start(
      t,
      'queue',
      `${OWN_EXECS}
struct item {
	__u32 seq;
	__u32 pid;
};

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__type(value, struct item);
} jobs SEC(".maps");

__u32 pushed;

SEC("tracepoint/syscalls/sys_enter_execve")
int queue_exec(void *ctx)
{
	struct item it = { .pid = bpf_get_current_pid_tgid() >> 32 };

	/* The first four of the test's execs only, numbered 1 to 4 */
	if (!started_by_backend() || pushed >= 4)
		return 0;
	it.seq = ++pushed;
	bpf_map_push_elem(&jobs, &it, 0);
	return 0;
}
${LICENSE}`,
      [OWN_EXECS_SEED],
    );
    assert.equal(run.meta('jobs').writable, true);
    await run.waitForMap('.bss', (entries) => (entries[0]?.value as Record<string, Json>)?.pushed === 4, { trigger: 'exec' });
    const seq = () => (run.current('jobs')?.[0]?.value as Record<string, Json> | undefined)?.seq;
    await run.waitForMap('jobs', () => seq() === 1);
    const frame = run.lastFrame('jobs')!;
    assert.equal(frame.headOnly, true);
    assert.equal(frame.count, 1);
    assert.equal(
      frame.note,
      'Only the head is shown: the oldest value, which the next pop takes. A queue map cannot be listed without emptying it; it holds up to 16 values.',
    );
    assert.equal(run.current('jobs')![0]!.key, null);
    assert.ok(Number((run.current('jobs')![0]!.value as Record<string, Json>).pid) > 0);

    // Peeking took nothing: the head is the same a few reads later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(seq(), 1);

    assertOk(await run.update('jobs', null, { seq: 999 }), 'push');
    assertOk(await run.remove('jobs', null), 'pop');
    await run.waitForMap('jobs', () => seq() === 2);
    for (const next of [3, 4, 999]) {
      assertOk(await run.remove('jobs', null), 'pop');
      await run.waitForMap('jobs', () => seq() === next);
    }
    assert.deepEqual(run.current('jobs')![0]!.value, { seq: 999, pid: 0 });
    assertOk(await run.remove('jobs', null), 'pop the last');
    await run.waitForMap('jobs', (entries, last) => entries.length === 0 && last.count === 0);
    assertMapError(await run.remove('jobs', null), 'Map jobs is empty: there is nothing to pop.');
  });

  test('stack: the newest value is the head; a full stack refuses a push', async (t) => {
    const run = await Running.start(
      t,
      'stack',
      `${OWN_EXECS}
struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 5);
	__type(value, __u64);
} pile SEC(".maps");

__u32 pushed;

SEC("tracepoint/syscalls/sys_enter_execve")
int stack_exec(void *ctx)
{
	__u64 seq;

	if (!started_by_backend() || pushed >= 4)
		return 0;
	seq = ++pushed;
	bpf_map_push_elem(&pile, &seq, 0);
	return 0;
}
${LICENSE}`,
      [OWN_EXECS_SEED],
    );
    await run.waitForMap('.bss', (entries) => (entries[0]?.value as Record<string, Json>)?.pushed === 4, { trigger: 'exec' });
    const head = () => run.current('pile')?.[0]?.value;
    await run.waitForMap('pile', () => head() === 4);
    assert.match(run.lastFrame('pile')!.note ?? '', /^Only the head is shown: the newest value, which the next pop takes\. A stack map cannot be listed/);

    assertOk(await run.update('pile', null, 999), 'push');
    await run.waitForMap('pile', () => head() === 999);
    assertMapError(await run.update('pile', null, 1000), 'Map pile is full (it holds 5 values): pop one first.');
    for (const next of [4, 3, 2, 1]) {
      assertOk(await run.remove('pile', null), 'pop');
      await run.waitForMap('pile', () => head() === next);
    }
  });

  test('.bss, .data and .rodata show their globals by name; .data and .bss take changes from the page', async (t) => {
    const run = await Running.start(
      t,
      'globals',
      `${HEADER}
const volatile __u32 step = 1;		/* .rodata: set before load */
const char greeting[8] = "hello";	/* .rodata */
__u64 calls;				/* .bss */
__u32 last_pid;				/* .bss */
__u32 level = 3;			/* .data */
char label[8] = "pg";			/* .data */

SEC("tracepoint/syscalls/sys_enter_execve")
int globals_exec(void *ctx)
{
	if (greeting[0] != 'h')
		return 0;
	__sync_fetch_and_add(&calls, step);
	last_pid = bpf_get_current_pid_tgid() >> 32;
	return 0;
}
${LICENSE}`,
      [{ map: '.rodata', key: 0, value: { step: 2 } }],
    );
    const globals = (map: string) => run.current(map)?.[0]?.value as Record<string, Json> | undefined;
    await run.waitForMap('.bss', () => Number(globals('.bss')?.calls) >= 2, { trigger: 'exec' });
    assert.deepEqual(Object.keys(globals('.bss')!).sort(), ['calls', 'last_pid']);
    assert.equal(Number(globals('.bss')!.calls) % 2, 0, 'calls grows by the seeded step');
    assert.deepEqual(globals('.rodata'), { step: 2, greeting: 'hello' });
    assert.deepEqual(globals('.data'), { level: 3, label: 'pg' });
    assert.deepEqual(
      ['.bss', '.data', '.rodata'].map((m) => run.meta(m).writable),
      [true, true, false],
    );

    // Only the globals given change; the others keep their values.
    assertOk(await run.update('.data', 0, { level: 9 }), 'set level');
    await run.waitForMap('.data', () => globals('.data')?.level === 9);
    assert.deepEqual(globals('.data'), { level: 9, label: 'pg' });
    assertOk(await run.update('.bss', 0, { calls: 1000 }), 'set calls');
    await run.waitForMap('.bss', () => Number(globals('.bss')?.calls) >= 1000);
    assert.ok(Number(globals('.bss')!.last_pid) > 0);

    assertMapError(await run.update('.rodata', 0, { step: 5 }), 'Map .rodata (array) cannot be written from user space here.');
    assertMapError(await run.remove('.bss', 0), /^Map \.bss is an array/);
  });
});

describe('big maps and bad values', () => {
  test('10,000 entries: the first frame has them all, read in batches; one update later sends one entry', async (t) => {
    const dumps: MapDumpReport[] = [];
    const listen = (report: unknown) => dumps.push(report as MapDumpReport);
    diagnosticsChannel.subscribe(mapDumpChannel.name, listen);
    t.after(() => diagnosticsChannel.unsubscribe(mapDumpChannel.name, listen));

    // sys_enter_bpf fires on the playground's own first map read after attach
    // (or any bpf() call before it), so the map is full before its first frame.
    const run = await Running.start(
      t,
      'big',
      `${HEADER}
#define ENTRIES 10000

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} big SEC(".maps");

__u32 filled;

static long fill_one(__u32 i, void *ctx)
{
	__u64 value = (__u64)i * 2;

	bpf_map_update_elem(&big, &i, &value, BPF_NOEXIST);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_bpf")
int fill_big(void *ctx)
{
	/* Set only after a whole fill, so no read can see half a map */
	if (filled)
		return 0;
	bpf_loop(ENTRIES, fill_one, NULL, 0);
	filled = 1;
	return 0;
}
${LICENSE}`,
    );
    const first = await run.connection.waitFor((m) => m.type === 'maps' && m.runId === run.runId && m.maps.some((f) => f.name === 'big'), 10_000);
    const frame = (first as Extract<ServerMessage, { type: 'maps' }>).maps.find((f) => f.name === 'big')!;
    assert.equal(frame.full, true);
    assert.equal(frame.count, 10_000);
    assert.equal(frame.truncated, false);
    assert.equal(frame.entries.length, 10_000);
    assert.deepEqual(
      frame.entries.map((e) => Number(e.key)).sort((a, b) => a - b),
      Array.from({ length: 10_000 }, (_, i) => i),
    );
    assert.ok(frame.entries.every((e) => e.value === Number(e.key) * 2));
    assert.ok(
      dumps.some((d) => d.map === 'big' && d.count === 10_000 && d.batched),
      `dumps of big: ${JSON.stringify(dumps.filter((d) => d.map === 'big'))}`,
    );

    const seen = run.connection.inbox.length;
    assertOk(await run.update('big', 5, 12_345), 'update one entry');
    const next = (await run.connection.waitFor(
      (m) => m.type === 'maps' && m.runId === run.runId && m.maps.some((f) => f.name === 'big'),
      5_000,
      seen,
    )) as Extract<ServerMessage, { type: 'maps' }> | null;
    assert.ok(next, 'a frame follows the update');
    const delta = next.maps.find((f) => f.name === 'big')!;
    assert.equal(delta.full, false);
    assert.deepEqual(delta.entries, [{ key: 5, value: 12_345 }]);
    assert.deepEqual(delta.removed, []);
    assert.equal(delta.count, 10_000);
    assert.equal(run.current('big')!.length, 10_000);
    assert.equal(run.entry('big', 5)!.value, 12_345);
  });

  test("a value that does not fit its field is refused with the codec's one sentence", async (t) => {
    const run = await Running.start(
      t,
      'fit',
      `${HEADER}
struct limits {
	__u32 max_bytes;
	__u16 ports[2];
	__u8 level;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct limits);
} limits SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int use_limits(void *ctx)
{
	__u32 key = 0;
	struct limits *l = bpf_map_lookup_elem(&limits, &key);

	return l ? l->level : 0;
}
${LICENSE}`,
    );
    assertMapError(await run.update('limits', 1, { max_bytes: 10, level: 300 }), 'Value 300 does not fit in __u8 at value.level (__u8 holds 0 to 255).');
    assertMapError(await run.update('limits', 1, { ports: [80, 70_000] }), 'Value 70000 does not fit in __u16 at value.ports[1] (__u16 holds 0 to 65535).');
    assertMapError(await run.update('limits', 1, { level: 1, speed: 3 }), /^Unknown field "speed" in struct limits at value/);
    assertOk(await run.update('limits', 1, { max_bytes: 10, ports: [80, 443], level: 255 }), 'a value that fits');
    await run.waitForMap('limits', () => run.entry('limits', 1) !== undefined);
    assert.deepEqual(run.entry('limits', 1)!.value, { max_bytes: 10, ports: [80, 443], level: 255 });
  });
});
