// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { Backend } from '../backend.ts';
import { startTestBackend } from '../integration/harness.ts';
import { runRemote } from '../cli/remote-run.ts';
import { explainVerifierLog } from './explain.ts';
import { lastWriter } from '../../protocol/verifier-steps.ts';

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
  'spin_lock_tracing',
  'scalar_deref',
  'stack_limit',
];
// Refused after the walk or before it: the log names no line.
const UNMARKED = new Set(['spin_lock_tracing', 'stack_limit']);

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
      // Refused before the walk (a spin lock in a tracing program) or after it (the stacks' sum): the log names no line.
      const unmarked = UNMARKED.has(kind);
      assert.equal(marked.length, unmarked ? 0 : 1, 'the program marks exactly one line');

      const report = await runRemote({ server: backend.url, files: [{ name: 'prog.bpf.c', content }], seeds: [], seconds: 0 });
      assert.equal(report.stage, 'load', `${report.stage}: ${report.error?.message}\n${report.compileLog}`);
      assert.equal(report.error?.code, 'verifier_rejected', report.error?.message);
      assert.ok(report.verifierLog, 'the kernel returned a log');

      const { explanation, diagnostics } = explainVerifierLog(report.verifierLog, { mainFile: 'prog.bpf.c', files: ['prog.bpf.c'] });
      const context = `${JSON.stringify(explanation)}\n${report.verifierLog.slice(-1500)}`;
      assert.equal(explanation?.kind, kind, context);
      if (unmarked) {
        assert.equal(explanation.line, undefined, context);
        assert.deepEqual(diagnostics, []);
        return;
      }
      assert.equal(explanation.file, 'prog.bpf.c');
      assert.equal(explanation.line, marked[0], context);
      assert.deepEqual(
        diagnostics.map((d) => [d.file, d.line, d.severity, d.source, d.message]),
        [['prog.bpf.c', marked[0], 'error', 'verifier', explanation.summary]],
      );
    });
  }
});

describe('the verifier step by step (log level 2)', () => {
  // Not too_many_insns: logging each of a million steps takes the kernel over a minute here.
  // Nor spin_lock_tracing and stack_limit: their refusal is not on a step of the walk.
  for (const kind of KINDS.filter((k) => k !== 'too_many_insns' && !UNMARKED.has(k))) {
    test(`${kind}: the walk ends at the marked line, on the instruction the verifier stopped at`, async () => {
      const content = readFileSync(new URL(`${kind}.bpf.c`, PROGRAMS), 'utf8');
      const marked = content.split('\n').findIndex((l) => l.includes('/* fails here */')) + 1;
      const report = await runRemote({ server: backend.url, files: [{ name: 'prog.bpf.c', content }], seeds: [], seconds: 0, verifierSteps: true });
      const walk = report.verifierSteps;
      assert.ok(walk, `no steps in:\n${report.verifierLog?.slice(0, 800)}`);
      assert.ok(walk.failure, 'the walk ends in the rejection');
      const last = walk.steps[walk.failure.step]!;
      assert.equal(last.source?.file, 'prog.bpf.c');
      assert.equal(last.source?.line, marked, JSON.stringify(last));
      // Each step is an instruction of the program the verifier printed, with the state it knew.
      assert.ok(walk.steps.every((s) => Number.isInteger(s.insn) && s.insn >= 0 && s.asm.length > 0));
      assert.ok(walk.figures && walk.figures.processedInsns >= 1);
    });
  }

  test('null_deref: the pointer dereferenced comes from bpf_map_lookup_elem, followed back from the failing step', async () => {
    const content = readFileSync(new URL('null_deref.bpf.c', PROGRAMS), 'utf8');
    const report = await runRemote({ server: backend.url, files: [{ name: 'prog.bpf.c', content }], seeds: [], seconds: 0, verifierSteps: true });
    const walk = report.verifierSteps!;
    const failing = walk.steps[walk.failure!.step]!;
    assert.ok(failing.reads.includes('r0'), failing.asm);
    assert.equal(failing.state.find((s) => s.name === 'R0')?.type, 'map_value_or_null');
    const origin = lastWriter(walk, walk.failure!.step, 'r0');
    assert.match(walk.steps[origin!]!.asm, /^call bpf_map_lookup_elem#\d+$/);
  });
});
