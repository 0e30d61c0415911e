import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeClientMessage, encodeServerMessage, PROTOCOL_VERSION } from '../../../protocol/messages.ts';
import { PlaygroundClient, type ConnectionState } from './playground-client.ts';

/** A socket the test drives as the server would: it keeps what the client sent. */
class FakeSocket {
  static readonly OPEN = 1;
  readyState = 0;
  readonly sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    this.readyState = 3;
  }
  lastRequest() {
    const decoded = decodeClientMessage(this.sent.at(-1)!);
    assert.ok(decoded.ok);
    return decoded.message;
  }
}
// The page's code reads WebSocket.OPEN; Node 20 has no WebSocket of its own.
(globalThis as { WebSocket?: unknown }).WebSocket ??= FakeSocket;

const LIMITS = { sourceBytes: 64 * 1024, wsMaxPayloadBytes: 128 * 1024 };

/** A client connected to a fake server that answered hello with `LIMITS`. */
async function connected() {
  const sockets: FakeSocket[] = [];
  const client = new PlaygroundClient({ url: 'ws://test/ws', createSocket: () => sockets[sockets.push(new FakeSocket()) - 1] as unknown as WebSocket });
  const states: ConnectionState['status'][] = [];
  client.on('connection', (state) => states.push(state.status));
  client.connect();
  const socket = sockets[0]!;
  socket.readyState = 1;
  socket.onopen?.();
  const hello = socket.lastRequest();
  socket.onmessage?.({
    data: encodeServerMessage({
      type: 'reply',
      id: hello.id,
      ok: true,
      to: 'hello',
      version: PROTOCOL_VERSION,
      sessionId: 's',
      resumeToken: 't',
      resumed: false,
      expiresAt: 0,
      host: { kernel: '6.12', arch: 'x86_64', btf: true, problems: [], kernels: [] },
      limits: LIMITS,
    }),
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(client.connection.status, 'open');
  return { client, socket, sockets, states };
}

test('a Run over the source limit is answered in KB by the page and never sent; the connection stays open', async () => {
  const { client, socket } = await connected();
  const before = socket.sent.length;
  const { result } = client.run([{ name: 'prog.bpf.c', content: 'x'.repeat(102_462) }], []);
  assert.deepEqual(await result, {
    ok: false,
    error: { code: 'bad_request', message: 'prog.bpf.c is 100.1 KB; the limit is 64 KB for all files together.' },
  });
  assert.equal(socket.sent.length, before, 'nothing was sent');
  assert.equal(client.connection.status, 'open');
  client.close();
});

test('a socket found closing is lost at once: the state shown and the answer agree', async () => {
  const { client, socket, sockets, states } = await connected();
  // The server closed it (a close frame arrived), but the close event has not fired yet.
  socket.readyState = 2;
  const answer = await client.request({ type: 'stop' });
  assert.equal(!answer.ok && answer.error.code, 'connection_lost');
  assert.equal(client.connection.status, 'reconnecting', 'not still "open" while requests say "not connected"');
  assert.equal(states.at(-1), 'reconnecting');
  // Its late close event changes nothing more: one reconnect is scheduled, not two.
  socket.onclose?.({ reason: '' });
  assert.equal(client.connection.attempt, 1);
  client.close();
  assert.equal(sockets.length, 1);
});
