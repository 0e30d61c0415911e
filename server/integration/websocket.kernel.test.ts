// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// The WebSocket under bad and hostile clients: each gets a clear answer and harms nothing.
import { statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, decodeServerMessage, type ServerMessage } from '../../protocol/messages.ts';
import type { Backend } from '../backend.ts';
import { PlaygroundConnection } from '../cli/connection.ts';
import { helloSource, loadedProgramNames, startTestBackend, uniqueProgramName } from './harness.ts';

let backend: Backend;
before(async () => {
  backend = await startTestBackend((config) => {
    config.limits.sessionGraceMs = 1_500;
    config.limits.handshakeMs = 500;
  });
});
after(() => backend.close());

/** A raw client that records every message and how the connection ended. */
async function rawClient(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers });
  const inbox: ServerMessage[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('message', (data) => {
    const decoded = decodeServerMessage(data.toString());
    if (decoded.ok) inbox.push(decoded.message);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (match: (m: ServerMessage) => boolean): Promise<ServerMessage> => {
    for (let i = 0; i < 200; i++) {
      const found = inbox.find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('no such message within 5 s');
  };
  return { ws, inbox, closed, next };
}

describe('bad messages', () => {
  test('a 100 MB frame closes the connection as too big', async () => {
    const huge = Buffer.alloc(100 * 1024 * 1024, 'a').toString();
    const client = await rawClient(backend.url);
    client.ws.send(JSON.stringify({ type: 'hello', id: 1, version: PROTOCOL_VERSION, client: 'test' }));
    await client.next((m) => m.type === 'reply' && m.ok);
    client.ws.send(huge);
    assert.equal((await client.closed).code, 1009);
  });

  test('malformed JSON and unknown types get a sentence, and the connection stays', async () => {
    const client = await rawClient(backend.url);
    client.ws.send('{"type": "hello",');
    const bad = await client.next((m) => m.type === 'reply');
    assert.deepEqual(bad, { type: 'reply', id: -1, ok: false, error: { code: 'bad_request', message: 'The message is not valid JSON.' } });
    client.ws.send(JSON.stringify({ type: 'rm_rf', id: 2 }));
    await client.next((m) => m.type === 'reply' && m !== bad);
    assert.equal(client.ws.readyState, WebSocket.OPEN);
    client.ws.close(1000);
  });

  test('a wrong protocol version is refused and closed', async () => {
    const client = await rawClient(backend.url);
    client.ws.send(JSON.stringify({ type: 'hello', id: 1, version: PROTOCOL_VERSION + 1, client: 'future' }));
    const reply = await client.next((m) => m.type === 'reply');
    assert.equal(reply.type === 'reply' && !reply.ok && reply.error.code, 'protocol_version');
    assert.equal((await client.closed).code, 4002);
  });

  test('a foreign Origin is turned away at the door', async () => {
    await assert.rejects(rawClient(backend.url, { Origin: 'https://evil.example' }), /403/);
  });

  test('a client that never says hello is closed', async () => {
    const client = await rawClient(backend.url);
    assert.equal((await client.closed).code, 4001);
  });

  test('1,000 Run requests in a second: five run, the rest are rate-limited', async () => {
    // Five Runs an hour: however slowly a loaded machine answers the thousand, no token comes back meanwhile.
    const hourly = await startTestBackend((config) => {
      config.limits.runWindowMs = 3_600_000;
    });
    const connection = await PlaygroundConnection.open(hourly.url, 'test');
    try {
      const ids = Array.from({ length: 1000 }, () => connection.send({ type: 'run', files: [{ name: 'p.bpf.c', content: helloSource('flood_run') }] }));
      const replies = await Promise.all(ids.map((id) => connection.waitFor((m) => m.type === 'reply' && m.id === id, 30_000)));
      const codes = replies.map((r) => (r?.type === 'reply' ? (r.ok ? 'ok' : r.error.code) : 'none'));
      assert.equal(codes.filter((c) => c === 'ok').length, 5);
      assert.equal(codes.filter((c) => c === 'rate_limited').length, 995);
      // The server still serves others.
      const other = await PlaygroundConnection.open(hourly.url, 'test');
      assert.ok(other.host.kernel);
      other.close();
    } finally {
      connection.close();
      hourly.close();
    }
  });
});

describe('access and sessions', () => {
  test('with an access token set, only clients that know it get in', async () => {
    const guarded = await startTestBackend((config) => {
      config.accessToken = 'room-code-1234';
    });
    try {
      await assert.rejects(PlaygroundConnection.open(guarded.url, 'test', ''), /401: it needs an access token/);
      await assert.rejects(PlaygroundConnection.open(guarded.url, 'test', 'wrong-code-123'), /401/);
      const inside = await PlaygroundConnection.open(guarded.url, 'test', 'room-code-1234');
      inside.close();
    } finally {
      guarded.close();
    }
  });

  test('with no token configured, one is made on the first start, kept for root alone, and required', async () => {
    let dataDir = '';
    const first = await startTestBackend((config) => {
      config.accessToken = null;
      dataDir = config.dataDir;
    });
    let token: string;
    try {
      token = first.accessToken!;
      assert.match(token, /^[A-Za-z0-9_-]{16}$/);
      const kept = statSync(path.join(dataDir, 'access-token'));
      assert.equal(kept.mode & 0o777, 0o600);
      await assert.rejects(PlaygroundConnection.open(first.url, 'test', ''), /401: it needs an access token/);
      (await PlaygroundConnection.open(first.url, 'test', token)).close();
    } finally {
      first.close();
    }
    // A restart keeps it: links handed out before still work.
    const again = await startTestBackend((config) => {
      config.accessToken = null;
      config.dataDir = dataDir;
    });
    try {
      assert.equal(again.accessToken, token);
    } finally {
      again.close();
    }
  });

  test('sessions per client address are capped', async () => {
    const small = await startTestBackend((config) => {
      config.limits.sessionsPerClient = 2;
    });
    const open: PlaygroundConnection[] = [];
    try {
      open.push(await PlaygroundConnection.open(small.url, 'test'), await PlaygroundConnection.open(small.url, 'test'));
      await assert.rejects(PlaygroundConnection.open(small.url, 'test'), /Your address already has 2 sessions open here/);
    } finally {
      for (const c of open) c.close();
      small.close();
    }
  });

  test('sessions per host are capped', async () => {
    const small = await startTestBackend((config) => {
      config.limits.maxSessions = 2;
    });
    const open: PlaygroundConnection[] = [];
    try {
      open.push(await PlaygroundConnection.open(small.url, 'test'), await PlaygroundConnection.open(small.url, 'test'));
      await assert.rejects(PlaygroundConnection.open(small.url, 'test'), /already serves 2 sessions/);
      open.pop()!.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      open.push(await PlaygroundConnection.open(small.url, 'test'));
    } finally {
      for (const c of open) c.close();
      small.close();
    }
  });

  test('a dropped connection resumes its running session within the grace period, and is cleaned up after it', async () => {
    const name = uniqueProgramName();
    const first = await PlaygroundConnection.open(backend.url, 'test');
    const runId = first.send({ type: 'run', files: [{ name: 'p.bpf.c', content: helloSource(name, 'still here') }] });
    assert.ok(await first.waitFor((m) => m.type === 'run_state' && m.runId === runId && m.state === 'running', 30_000));
    const welcome = first.welcome;
    first.drop();

    // Within the grace period: the program still runs, and a resume picks it up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(loadedProgramNames().includes(name));
    const again = await PlaygroundConnection.open(backend.url, 'test', undefined, { sessionId: welcome.sessionId, token: welcome.resumeToken });
    assert.equal(again.welcome.resumed, true);
    assert.ok(await again.waitFor((m) => m.type === 'loaded' && m.runId === runId, 5_000), 'the run is replayed');
    again.send({ type: 'trigger', what: 'exec' });
    assert.ok(await again.waitFor((m) => m.type === 'trace' && m.lines.some((l) => l.text === 'still here'), 10_000));

    // A wrong token gets a new session instead, not this one.
    const stranger = await PlaygroundConnection.open(backend.url, 'test', undefined, { sessionId: welcome.sessionId, token: 'guess' });
    assert.ok(!stranger.welcome.resumed && stranger.welcome.sessionId !== welcome.sessionId);
    stranger.close();

    // Dropped again and not resumed: after the grace period, nothing is left.
    again.drop();
    await until(() => !loadedProgramNames().includes(name), 10_000);
  });

  for (const moment of ['compiled', 'loaded', 'running'] as const) {
    test(`a tab closed when the run is ${moment} leaves nothing in the kernel`, async () => {
      const name = uniqueProgramName();
      const connection = await PlaygroundConnection.open(backend.url, 'test');
      const runId = connection.send({ type: 'run', files: [{ name: 'p.bpf.c', content: helloSource(name) }] });
      const reached = (m: ServerMessage) =>
        moment === 'running' ? m.type === 'run_state' && m.runId === runId && m.state === 'running' : m.type === moment && m.runId === runId;
      assert.ok(await connection.waitFor(reached, 30_000));
      connection.close();
      await until(() => !loadedProgramNames().includes(name));
      // And it does not come back once a late stage finishes.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(!loadedProgramNames().includes(name));
    });
  }
});

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('timed out waiting for the kernel to drop the program');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("an idle session's program is stopped with a message", async () => {
  const quick = await startTestBackend((config) => {
    config.limits.idleMs = 1_500;
  });
  const name = uniqueProgramName();
  const connection = await PlaygroundConnection.open(quick.url, 'test');
  try {
    const runId = connection.send({ type: 'run', files: [{ name: 'p.bpf.c', content: helloSource(name) }] });
    assert.ok(await connection.waitFor((m) => m.type === 'run_state' && m.runId === runId && m.state === 'running', 30_000));
    const ended = await connection.waitFor((m) => m.type === 'session_end', 10_000);
    assert.match(ended?.type === 'session_end' ? ended.reason : '', /stopped after 2 seconds without activity/);
    await until(() => !loadedProgramNames().includes(name));
  } finally {
    connection.close();
    quick.close();
  }
});
