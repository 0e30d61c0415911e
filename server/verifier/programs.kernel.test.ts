// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { Backend } from '../backend.ts';
import { startTestBackend } from '../integration/harness.ts';
import { runRemote } from '../cli/remote-run.ts';
import { explainVerifierLog } from './explain.ts';

// Each programs/<kind>.bpf.c fails verification on this kernel with that
// class of mistake, on the line marked /* fails here */. They go through the
// real pipeline (jailed clang, policy, libbpf load in the runner) and the
// kernel's own log is explained.
const PROGRAMS = new URL('programs/', import.meta.url);
const KINDS = [
  'unbounded_loop',
  'null_deref',
  'out_of_bounds',
  'missing_return',
  'unknown_helper',
  'gpl_only',
  'too_many_insns',
  'bad_arg_size',
  'bad_ctx_access',
];

let backend: Backend;
before(async () => {
  backend = await startTestBackend();
});
after(() => backend.close());

test('there is one program for every class', () => {
  const names = readdirSync(PROGRAMS)
    .filter((f) => f.endsWith('.bpf.c'))
    .map((f) => f.replace(/\.bpf\.c$/, ''));
  assert.deepEqual(names.sort(), [...KINDS].sort());
});

describe('real verifier rejections, explained on the marked line', () => {
  for (const kind of KINDS) {
    test(kind, async () => {
      const content = readFileSync(new URL(`${kind}.bpf.c`, PROGRAMS), 'utf8');
      const marked = content.split('\n').flatMap((l, i) => (l.includes('/* fails here */') ? [i + 1] : []));
      assert.equal(marked.length, 1, 'the program marks exactly one line');

      const report = await runRemote({ server: backend.url, files: [{ name: 'prog.bpf.c', content }], seeds: [], seconds: 0 });
      assert.equal(report.stage, 'load', `${report.stage}: ${report.error?.message}\n${report.compileLog}`);
      assert.equal(report.error?.code, 'verifier_rejected', report.error?.message);
      assert.ok(report.verifierLog, 'the kernel returned a log');

      const { explanation, diagnostics } = explainVerifierLog(report.verifierLog, { mainFile: 'prog.bpf.c', files: ['prog.bpf.c'] });
      const context = `${JSON.stringify(explanation)}\n${report.verifierLog.slice(-1500)}`;
      assert.equal(explanation?.kind, kind, context);
      assert.equal(explanation.file, 'prog.bpf.c');
      assert.equal(explanation.line, marked[0], context);
      assert.deepEqual(
        diagnostics.map((d) => [d.file, d.line, d.severity, d.source, d.message]),
        [['prog.bpf.c', marked[0], 'error', 'verifier', explanation.summary]],
      );
    });
  }
});
