import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOL_VERSION,
  applyMapDelta,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  type ServerMessage,
} from './messages.ts';

test('a run request round-trips, with seeds defaulting to none', () => {
  const text = encodeClientMessage({ type: 'run', id: 7, files: [{ name: 'p.bpf.c', content: 'int x;' }] });
  const decoded = decodeClientMessage(text);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.message, { type: 'run', id: 7, files: [{ name: 'p.bpf.c', content: 'int x;' }], seeds: [] });
});

test('map seeds keep JSON keys and values as they are', () => {
  const decoded = decodeClientMessage(
    encodeClientMessage({ type: 'run', id: 'a', files: [{ name: 'p.c', content: '' }], seeds: [{ map: 'm', key: 'execve_counter', value: 0 }] }),
  );
  assert.ok(decoded.ok && decoded.message.type === 'run');
  assert.deepEqual(decoded.message.seeds, [{ map: 'm', key: 'execve_counter', value: 0 }]);
});

test('server messages round-trip', () => {
  const messages: ServerMessage[] = [
    {
      type: 'reply',
      id: 1,
      ok: true,
      to: 'hello',
      version: PROTOCOL_VERSION,
      sessionId: 's',
      resumeToken: 't',
      resumed: false,
      expiresAt: 1,
      host: { kernel: '6.18', arch: 'x86_64', btf: true, problems: [], kernels: [] },
    },
    { type: 'trace', runId: 3, lines: [{ ts: 1.5, cpu: 0, pid: 9, comm: 'sh', text: 'hi' }], dropped: 4 },
    { type: 'maps', runId: 3, maps: [{ name: 'execve_counter', entries: [{ key: 'execve_counter', value: 23 }], count: 1, truncated: false }] },
    { type: 'run_state', runId: 3, state: 'error', stage: 'load', timings: { compileMs: 30 }, error: { code: 'verifier_rejected', message: 'no' } },
    { type: 'reply', id: 4, ok: false, error: { code: 'rate_limited', message: 'wait' } },
    { type: 'reply', id: 5, ok: true, to: 'share', shareId: 'abc' },
    { type: 'reply', id: 6, ok: true, to: 'stop' },
    { type: 'refused', runId: 3, violations: [{ rule: 'helper', message: 'Program p calls bpf_send_signal.' }] },
  ];
  for (const message of messages) {
    const decoded = decodeServerMessage(encodeServerMessage(message));
    assert.ok(decoded.ok, JSON.stringify(decoded));
    assert.deepEqual(decoded.message, message);
  }
});

test('bad frames are refused with a sentence, not an exception', () => {
  const notJson = decodeClientMessage('{nope');
  assert.deepEqual(notJson, { ok: false, error: 'The message is not valid JSON.' });
  const unknown = decodeClientMessage(JSON.stringify({ type: 'format_disk', id: 1 }));
  assert.equal(unknown.ok, false);
  const badSeeds = decodeClientMessage(JSON.stringify({ type: 'run', id: 1, files: [] }));
  assert.ok(!badSeeds.ok && /files/.test(badSeeds.error), JSON.stringify(badSeeds));
});

test('a map delta updates, adds and removes entries, keeping order; a full frame replaces', () => {
  const before = [
    { key: 'a', value: 1 },
    { key: 'b', value: 2 },
    { key: 'c', value: 3 },
  ];
  const delta = {
    name: 'm',
    full: false,
    entries: [
      { key: 'b', value: 20 },
      { key: 'd', value: 4 },
    ],
    removed: ['a'],
    count: 3,
    truncated: false,
  };
  assert.deepEqual(applyMapDelta(before, delta), [
    { key: 'b', value: 20 },
    { key: 'c', value: 3 },
    { key: 'd', value: 4 },
  ]);
  assert.deepEqual(applyMapDelta(before, { name: 'm', entries: [{ key: 'z', value: 0 }], count: 1, truncated: false }), [{ key: 'z', value: 0 }]);
  assert.deepEqual(applyMapDelta(undefined, delta), delta.entries, 'a delta with nothing to apply to is taken as it is');
});

test('a reply is checked against the result its request names', () => {
  // An acceptance of share without its id, or one naming no request, is not a reply.
  assert.equal(decodeServerMessage(JSON.stringify({ type: 'reply', id: 1, ok: true, to: 'share' })).ok, false);
  assert.equal(decodeServerMessage(JSON.stringify({ type: 'reply', id: 1, ok: true, to: 'nothing' })).ok, false);
  // A refusal always carries its sentence.
  assert.equal(decodeServerMessage(JSON.stringify({ type: 'reply', id: 1, ok: false })).ok, false);
});
