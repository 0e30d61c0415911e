// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// The benchmarks' code paths, once each and small, in `npm test`: a new CO-RE
// program, the same one compiled while typing (`prepare`), the same source again,
// first output, the report table, and the scaling law's two curves. No time is asserted: figures come from
// `npm run bench`, as ratios against peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlaygroundConnection } from '../server/cli/connection.ts';
import { startTestBackend } from '../server/integration/harness.ts';
import { coreSource, timePlaygroundRun, timePreparedRun } from './latency.ts';
import { markdownTable, type Results } from './report.ts';
import { scaling } from './scaling.ts';
import { Cleanup, summarize } from './util.ts';
import { timeFirstOutput } from './workshop.ts';

test('benchmark smoke: each latency path runs to "running" and reports its parts', async () => {
  const backend = await startTestBackend((config) => {
    config.limits.runsPerWindow = 1000;
  });
  const connection = await PlaygroundConnection.open(backend.url, 'bench-smoke');
  try {
    const tag = Date.now() % 1_000_000;
    const fresh = await timePlaygroundRun(connection, coreSource(tag));
    assert.ok(fresh.compileMs > 0 && Number.isFinite(fresh.loadMs) && Number.isFinite(fresh.attachMs), JSON.stringify(fresh));

    const typed = await timePreparedRun(connection, coreSource(tag + 1));
    assert.equal(typed.compileMs, 0, 'the prepared source was compiled before Run');
    assert.ok(typed.prepareMs > 0);

    const again = await timePlaygroundRun(connection, coreSource(tag));
    assert.equal(again.compileMs, 0, 'the same source comes from the compile cache');

    // timeFirstOutput throws unless the program's own line arrived; what it reports must add up.
    const first = await timeFirstOutput(connection, `smoke_${tag}`, `smoke ${tag}`);
    assert.ok(Math.abs(first.runningToExecMs + first.execToLineMs - first.runningToLineMs) < 1e-6, JSON.stringify(first));
    assert.match(first.comm, /\S/, 'the line names the process that printed it');

    const s = summarize([fresh.totalMs]);
    const results: Results = {
      meta: {
        date: '',
        kernel: '',
        cpus: 2,
        cpuModel: '',
        node: '',
        clang: '',
        bpftrace: '',
        runs: 1,
        floodMs: 0,
        sandbox: '',
        backend: '',
        loadAvgAtStart: [],
      },
      repeat: { playground: { totalMs: s, compileMs: s, loadMs: s, attachMs: s, otherMs: s }, ratioToNewSource: 1, targetMs: 30, samples: [] },
    };
    assert.match(markdownTable(results), /2\. same source again/);
  } finally {
    connection.close();
    backend.close();
  }
});

test('benchmark smoke: the scaling law runs a session step on its own backend and reads a map both ways', async () => {
  const cleanup = new Cleanup();
  try {
    const result = await scaling(cleanup, () => {}, Date.now() % 100_000, [2], [10, 100], 1);
    assert.equal(result.sessions[0]!.sessions, 2);
    assert.equal(result.sessions[0]!.failed, 0);
    assert.ok(result.sessions[0]!.idleMb > 0);
    assert.deepEqual(
      result.maps.map((m) => m.entries),
      [10, 100],
    );
    assert.ok(result.maps.every((m) => m.batchMs > 0 && m.perKeyMs > 0));
  } finally {
    assert.deepEqual(await cleanup.runAll(), []);
  }
});
