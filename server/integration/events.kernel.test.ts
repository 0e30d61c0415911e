// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// Ring buffer and perf buffer records, decoded by BTF, streamed to the session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import type { ServerMessage } from '../../protocol/messages.ts';
import type { Backend } from '../backend.ts';
import { PlaygroundConnection } from '../cli/connection.ts';
import { refusalOf, startTestBackend } from './harness.ts';

let backend: Backend;
before(async () => {
  backend = await startTestBackend((config) => {
    config.limits.eventsPerSecond = 200;
  });
});
after(() => backend.close());

type Events = Extract<ServerMessage, { type: 'events' }>;

async function runSource(connection: PlaygroundConnection, files: { name: string; content: string }[]): Promise<number> {
  const runId = connection.send({ type: 'run', files });
  const state = await connection.waitFor((m) => m.type === 'run_state' && m.runId === runId && (m.state === 'running' || m.state === 'error'), 30_000);
  assert.ok(state?.type === 'run_state' && state.state === 'running', JSON.stringify(state));
  return runId;
}

function records(connection: PlaygroundConnection, map: string) {
  return connection.inbox.filter((m): m is Events => m.type === 'events' && m.map === map).flatMap((m) => m.records);
}

test('a ring buffer streams records decoded as the struct the program submits', async () => {
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    const list = await connection.request({ type: 'get_examples' });
    const example = list.ok ? list.examples.find((e) => e.name === 'open_events_ringbuf') : undefined;
    assert.ok(example);
    await runSource(connection, example.files);
    const opener = setInterval(() => closeSync(openSync('/etc/hostname', 'r')), 200);
    const mine = (r: { value: unknown }) => {
      const value = r.value as { pid?: number; filename?: string } | null;
      return value?.pid === process.pid && value.filename === '/etc/hostname';
    };
    const ours = await connection.waitFor((m) => m.type === 'events' && m.records.some(mine), 10_000).finally(() => clearInterval(opener));
    assert.ok(ours?.type === 'events');
    assert.equal(ours.recordType, 'struct open_event');
    assert.deepEqual(Object.keys(ours.records.find(mine)!.value as object), ['pid', 'comm', 'filename']);
  } finally {
    connection.close();
  }
});

test('a perf event array streams decoded records, and the user can pick another type or raw bytes', async () => {
  const source = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct hit { __u32 pid; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } hits SEC(".maps");
const struct hit *unused_hit __attribute__((unused));
SEC("tp/syscalls/sys_enter_openat")
int on_open(void *ctx)
{
	struct hit h = { .pid = bpf_get_current_pid_tgid() >> 32 };
	bpf_get_current_comm(&h.comm, sizeof(h.comm));
	bpf_perf_event_output(ctx, &hits, BPF_F_CURRENT_CPU, &h, sizeof(h));
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    await runSource(connection, [{ name: 'hits.bpf.c', content: source }]);
    // Opens keep coming until ours gets through: the whole host's opens count against the
    // session's 200 records a second, and the run's own skeleton job (clang, bpftool in the jail) opens hundreds.
    const opener = setInterval(() => closeSync(openSync('/etc/hostname', 'r')), 200);
    const ours = await connection
      .waitFor((m) => m.type === 'events' && m.map === 'hits' && m.records.some((r) => (r.value as { pid?: number } | null)?.pid === process.pid), 10_000)
      .finally(() => clearInterval(opener));
    assert.ok(ours?.type === 'events', 'the one open after running arrives as a record');
    assert.equal(ours.recordType, 'struct hit');

    const refused = await connection.request({ type: 'set_event_type', map: 'hits', typeName: 'struct nope' });
    assert.match(refusalOf(refused)?.message ?? '', /has no struct named "struct nope" \(it has: .*hit/);
    assert.equal((await connection.request({ type: 'set_event_type', map: 'hits', typeName: null })).ok, true);
    const since = connection.inbox.length;
    const reopener = setInterval(() => closeSync(openSync('/etc/hostname', 'r')), 200);
    const raw = await connection
      .waitFor((m) => m.type === 'events' && m.map === 'hits' && m.records.length > 0, 10_000, since)
      .finally(() => clearInterval(reopener));
    assert.ok(raw, 'the one open after set_event_type arrives as a record');
    assert.ok(raw?.type === 'events' && raw.recordType === null && raw.records[0]!.value === null && /^[0-9a-f]+$/.test(raw.records[0]!.hex));
  } finally {
    connection.close();
  }
});

test('a flood of events is cut to the rate and the drop is counted', async () => {
  const source = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 20); } rb SEC(".maps");
SEC("raw_tp/sys_enter")
int every_syscall(void *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	bpf_ringbuf_output(&rb, &now, sizeof(now), 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    await runSource(connection, [{ name: 'flood.bpf.c', content: source }]);
    const counted = await connection.waitFor((m) => m.type === 'events' && m.dropped > 0, 15_000);
    assert.ok(counted, 'the drop count reaches the client');
    const seconds = 3;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const received = records(connection, 'rb').length;
    // 200 a second, with the first second's burst and some slack.
    assert.ok(received <= 200 * (seconds + 4), `${received} records`);
  } finally {
    connection.close();
  }
});
