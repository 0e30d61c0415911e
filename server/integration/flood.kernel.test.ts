// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// Floods: one session's printk storm costs that session lines, not everyone else's stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Backend } from '../backend.ts';
import { PlaygroundConnection } from '../cli/connection.ts';
import { helloSource, startTestBackend } from './harness.ts';

let backend: Backend;
before(async () => {
  backend = await startTestBackend();
});
after(() => backend.close());

const FLOOD = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("raw_tp/sys_enter")
int flood(void *ctx) { bpf_printk("flood"); return 0; }
char LICENSE[] SEC("license") = "GPL";
`;

async function running(connection: PlaygroundConnection, content: string): Promise<number> {
  const runId = connection.send({ type: 'run', files: [{ name: 'p.bpf.c', content }] });
  assert.ok(await connection.waitFor((m) => m.type === 'run_state' && m.runId === runId && m.state === 'running', 30_000));
  return runId;
}

test("a printk on every syscall in one session leaves the other session's stream flowing", async () => {
  const flooder = await PlaygroundConnection.open(backend.url, 'test');
  const quiet = await PlaygroundConnection.open(backend.url, 'test');
  try {
    const started = Date.now();
    await running(flooder, FLOOD);
    await running(quiet, helloSource('quiet_prog', 'quiet line'));
    for (let i = 0; i < 5; i++) {
      const since = quiet.inbox.length;
      quiet.send({ type: 'trigger', what: 'exec' });
      assert.ok(
        await quiet.waitFor((m) => m.type === 'trace' && m.lines.some((l) => l.text === 'quiet line'), 10_000, since),
        `exec ${i} reached the quiet session`,
      );
    }
    const seconds = (Date.now() - started) / 1000;
    const floodLines = flooder.inbox.flatMap((m) => (m.type === 'trace' ? m.lines : []));
    const lastDropped = flooder.inbox.filter((m) => m.type === 'trace').at(-1);
    assert.ok(floodLines.length > 0);
    // The burst plus the sustained rate, with a second of slack: the rest is dropped and counted.
    assert.ok(floodLines.length <= 2000 + 200 * (seconds + 1), `${floodLines.length} lines in ${seconds} s`);
    assert.ok(lastDropped?.type === 'trace' && lastDropped.dropped > 0, 'the flooder is told how many lines it lost');
    // Losses in the kernel's shared buffer are counted apart from the server's drops.
    assert.equal(typeof lastDropped.kernelLost, 'number');
    assert.ok(quiet.inbox.every((m) => m.type !== 'trace' || m.lines.every((l) => l.text === 'quiet line')));
  } finally {
    flooder.close();
    quiet.close();
  }
});

test('a client that stops reading while its program floods is cut off from lines, not given unbounded memory', async () => {
  const reader = await PlaygroundConnection.open(backend.url, 'test');
  try {
    await running(reader, FLOOD);
    reader.pause();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const before = reader.inbox.length;
    reader.resume();
    const later = await reader.waitFor((m) => m.type === 'trace' && m.dropped > 0, 10_000, before);
    assert.ok(later, 'trace batches keep coming after the pause, with a drop count');
  } finally {
    reader.close();
  }
});

test('a program over its CPU budget is detached with a message', async () => {
  const hungry = await startTestBackend((config) => {
    config.limits.cpuBudget = 0.02;
    config.limits.cpuWindowMs = 2_000;
  });
  const connection = await PlaygroundConnection.open(hungry.url, 'test');
  const busy = spawn('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=50000000'], { stdio: 'ignore' });
  try {
    // Every syscall runs a loop: with dd making millions of them, that is real CPU.
    const source = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
__u64 sink;
SEC("raw_tp/sys_enter")
int hot(void *ctx)
{
	for (int i = 0; i < 200; i++)
		sink += bpf_get_prandom_u32();
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
    const runId = await running(connection, source);
    const stopped = await connection.waitFor((m) => m.type === 'run_state' && m.runId === runId && m.state === 'error', 20_000);
    assert.ok(stopped?.type === 'run_state');
    assert.equal(stopped.error?.code, 'policy_denied');
    assert.match(stopped.error?.message ?? '', /Your programs used \d+% of a CPU over the last 2 s; the limit is 2%, so they were detached/);
    assert.ok(connection.inbox.some((m) => m.type === 'stats' && m.programs[0]?.name === 'hot' && m.programs[0].runCount > 0));
  } finally {
    busy.kill();
    connection.close();
    hungry.close();
  }
});
