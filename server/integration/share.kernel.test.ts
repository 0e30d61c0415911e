// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// Shared links: kept in SQLite, so they outlive a restart; opening one never runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PlaygroundConnection } from '../cli/connection.ts';
import { helloSource, refusalOf, startTestBackend } from './harness.ts';

test('a shared program comes back after a restart, with its seeds, and does not run by itself', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'playground-share-'));
  const files = [
    { name: 'shared.bpf.c', content: helloSource('shared_prog', 'from a link') },
    { name: 'shared.h', content: '#define GREETING "hi"\n' },
  ];
  const seeds = [{ map: 'counts', key: 'x', value: 1 }];

  const first = await startTestBackend((config) => {
    config.dataDir = dataDir;
  });
  let shareId: string;
  try {
    const connection = await PlaygroundConnection.open(first.url, 'test');
    const shared = await connection.request({ type: 'share', files, seeds });
    assert.ok(shared.ok, JSON.stringify(shared));
    assert.match(shared.shareId, /^[A-Za-z0-9]{10}$/);
    shareId = shared.shareId;
    connection.close();
  } finally {
    first.close();
  }

  // A new backend process would see the same file; a new backend instance on the same data dir is the same test.
  const second = await startTestBackend((config) => {
    config.dataDir = dataDir;
  });
  try {
    const connection = await PlaygroundConnection.open(second.url, 'test');
    const content = await connection.request({ type: 'get_share', shareId });
    assert.ok(content.ok);
    assert.deepEqual(content.files, files);
    assert.deepEqual(content.seeds, seeds);
    assert.ok(!connection.inbox.some((m) => m.type === 'run_state'), 'opening a link runs nothing');

    const answer = await connection.request({ type: 'get_share', shareId: 'nope' });
    assert.deepEqual(answer, { ok: false, error: { code: 'bad_request', message: 'There is no shared program "nope": check the link.' } });

    const refused = await connection.request({ type: 'share', files: [{ name: '../etc/passwd', content: '' }] });
    assert.equal(refused.ok, false);
    assert.match(refusalOf(refused)?.message ?? '', /is not a usable file name/);
    connection.close();
  } finally {
    second.close();
  }
});
