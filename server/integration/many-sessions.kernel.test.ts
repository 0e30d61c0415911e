// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// A workshop's worth: 50 sessions at once, each receiving exactly its own lines.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../backend.ts';
import { PlaygroundConnection } from '../cli/connection.ts';
import { helloSource, loadedProgramNames, startTestBackend } from './harness.ts';

const SESSIONS = 50;
let backend: Backend;
before(async () => {
  backend = await startTestBackend();
});
after(() => backend.close());

test(`${SESSIONS} sessions each running a program get exactly their own lines`, { timeout: 300_000 }, async () => {
  const connections = await Promise.all(Array.from({ length: SESSIONS }, () => PlaygroundConnection.open(backend.url, 'test')));
  try {
    const runIds = connections.map((c, i) => c.send({ type: 'run', files: [{ name: 'p.bpf.c', content: helloSource(`many_${i}`, `session ${i}`) }] }));
    const states = await Promise.all(
      connections.map((c, i) => c.waitFor((m) => m.type === 'run_state' && m.runId === runIds[i] && (m.state === 'running' || m.state === 'error'), 240_000)),
    );
    states.forEach((state, i) => {
      const compiled = connections[i]!.inbox.find((m) => m.type === 'compiled');
      assert.ok(
        state?.type === 'run_state' && state.state === 'running',
        `session ${i}: ${JSON.stringify(state)} ${compiled?.type === 'compiled' ? compiled.log : ''}`,
      );
    });
    assert.equal(loadedProgramNames().filter((n) => n.startsWith('many_')).length, SESSIONS);

    const since = connections.map((c) => c.inbox.length);
    await connections[0]!.request({ type: 'trigger', what: 'exec' });
    await Promise.all(
      connections.map((c, i) =>
        c
          .waitFor((m) => m.type === 'trace' && m.lines.some((l) => l.text === `session ${i}`), 30_000, since[i])
          .then((m) => assert.ok(m, `session ${i} got its line`)),
      ),
    );
    connections.forEach((c, i) => {
      const foreign = c.inbox.flatMap((m) => (m.type === 'trace' ? m.lines : [])).filter((l) => l.text !== `session ${i}`);
      assert.deepEqual(foreign, [], `session ${i} saw only its own lines`);
    });
  } finally {
    for (const c of connections) c.close();
  }
  const deadline = Date.now() + 20_000;
  while (loadedProgramNames().some((n) => n.startsWith('many_')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(
    loadedProgramNames().filter((n) => n.startsWith('many_')),
    [],
  );
});
