import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { accessOf, figureParts, lastWriter, parseState, parseVerifierWalk, verifierFigures } from './verifier-steps.ts';

// Logs captured from Linux 6.18 at log_level 2, of programs in server/verifier/programs/ and of two that pass.
const fixture = (name: string) => readFileSync(new URL(`../server/verifier/fixtures/${name}`, import.meta.url), 'utf8');

test('a rejected load: each step with its C line and state, and the failure on the last one', () => {
  const walk = parseVerifierWalk(fixture('null_deref_level2.log'));
  assert.deepEqual(
    walk.steps.map((s) => s.insn),
    [0, 1, 2, 3, 4, 6, 7],
  );
  const call = walk.steps[5]!;
  assert.equal(call.asm, 'call bpf_map_lookup_elem#1');
  assert.deepEqual(call.source, { file: 'null_deref.bpf.c', line: 19, text: 'v = bpf_map_lookup_elem(&counts, &key);' });
  assert.deepEqual(call.reads, ['r1', 'r2'], 'a call reads the arguments live before it');
  assert.deepEqual(call.writes, ['r0']);
  const r0 = call.state.find((s) => s.name === 'R0')!;
  assert.equal(r0.type, 'map_value_or_null');
  assert.deepEqual(r0.fields, { id: '1', map: 'counts', ks: '4', vs: '8' });
  assert.ok(call.changed.includes('R0') && call.changed.includes('R1'), 'R1-R5 are forgotten by a call');
  assert.ok(!call.state.some((s) => s.name === 'R1'));
  assert.deepEqual(walk.failure, { message: "R0 invalid mem access 'map_value_or_null'", step: 6 });
  assert.equal(walk.steps[6]!.source?.line, 20);
  assert.deepEqual(walk.figures, { processedInsns: 7, maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, verificationUs: 436, stackDepth: 8 });
  // Where R0 at the failing load came from: the call.
  assert.equal(lastWriter(walk, 6, 'R0'), 5);
  // And the key on the stack: stored by insn 1 into fp-8, from r1, set by insn 0.
  assert.equal(walk.steps[1]!.writes[0], 'fp-8');
  assert.equal(lastWriter(walk, 1, 'r1'), 0);
});

test('a load that passes: both branches walked, the second from its branch, with its own state', () => {
  const walk = parseVerifierWalk(fixture('branch_counter_level2.log'));
  assert.equal(walk.failure, null);
  const second = walk.steps.findIndex((s) => s.from !== undefined);
  assert.equal(walk.steps[second]!.insn, 15);
  assert.equal(walk.steps[second]!.from, 10);
  assert.equal(walk.steps[second - 1]!.asm, 'exit');
  // On the NULL path R0 is 0, said by the branch's state.
  assert.equal(walk.steps[second]!.state.find((s) => s.name === 'R0')?.text, '0');
  // r2 at the update call was set on this path (insn 16), not by the first path's steps.
  const update = walk.steps.findIndex((s) => s.asm === 'call bpf_map_update_elem#2');
  assert.deepEqual(walk.steps[update]!.reads, ['r1', 'r2', 'r3', 'r4']);
  assert.equal(walk.steps[lastWriter(walk, update, 'r2')!]!.insn, 16);
  // Followed back across the branch: r10's copy into r2 … and R0 tested at insn 10 came from the lookup at 9.
  assert.equal(walk.steps[lastWriter(walk, second, 'r0')!]!.insn, 9);
  assert.deepEqual(walk.figures, { processedInsns: 25, maxStatesPerInsn: 0, totalStates: 2, peakStates: 2 });
});

test('a pruned branch is listed, and bounds are read with their aliases', () => {
  const walk = parseVerifierWalk(fixture('bounded_loop_level2.log'));
  assert.deepEqual(walk.pruned, [{ from: 13, to: 19 }]);
  const r6 = walk.steps.find((s) => s.insn === 13)!.state.find((s) => s.name === 'R6')!;
  assert.equal(r6.type, 'scalar');
  assert.equal(r6.fields.umin, '21');
  assert.equal(r6.fields.smin32, '21');
  assert.equal(r6.fields.umax, '28');
  assert.equal(r6.fields.var_off, '(0x10; 0xf)');
});

test('reads and writes of each instruction form', () => {
  assert.deepEqual(accessOf('r1 = *(u64 *)(r0 +0)'), { reads: ['r0'], writes: ['r1'] });
  assert.deepEqual(accessOf('*(u32 *)(r10 -4) = r1'), { reads: ['r10', 'r1'], writes: ['fp-8'] });
  assert.deepEqual(accessOf('r2 = *(u64 *)(r10 -16)'), { reads: ['r10', 'fp-16'], writes: ['r2'] });
  assert.deepEqual(accessOf('r6 += r0'), { reads: ['r6', 'r0'], writes: ['r6'] });
  assert.deepEqual(accessOf('w1 = w2'), { reads: ['r2'], writes: ['r1'] });
  assert.deepEqual(accessOf('if r1 > r6 goto pc+5'), { reads: ['r1', 'r6'], writes: [] });
  assert.deepEqual(accessOf('lock *(u64 *)(r1 +0) += r2'), { reads: ['r1', 'r2'], writes: [] });
  assert.deepEqual(accessOf('exit'), { reads: ['r0'], writes: [] });
  assert.deepEqual(
    parseState('R1=ctx() R6_w=scalar(smin=0,var_off=(0x0; 0x7)) fp-8=mmmm????').map((s) => [s.name, s.type]),
    [
      ['R1', 'ctx'],
      ['R6', 'scalar'],
      ['fp-8', 'mmmm????'],
    ],
  );
});

test("veristat's figures from a log's last lines, with or without the time and stack depth", () => {
  // What a level 1|4 log of a passing program holds: the statistics only.
  const passed =
    'verification time 176 usec\nstack depth 24+16\nprocessed 13 insns (limit 1000000) max_states_per_insn 1 total_states 3 peak_states 2 mark_read 0\n';
  const figures = verifierFigures(passed)!;
  assert.deepEqual(figures, { processedInsns: 13, maxStatesPerInsn: 1, totalStates: 3, peakStates: 2, verificationUs: 176, stackDepth: 24 });
  assert.deepEqual(figureParts(figures), ['13 insns processed', '3 states (peak 2)', '176 µs', 'stack 24 B']);
  // Below BPF_LOG_STATS the kernel prints only the processed line.
  assert.deepEqual(figureParts(verifierFigures('processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0')!), [
    '7 insns processed',
    '1 state (peak 1)',
  ]);
  assert.equal(verifierFigures('R0 invalid mem access'), null);
});

test('a level 2 log from the 6.12 VM kernel: `_w` marks on written registers, precision tracking between steps', () => {
  // server/verifier/programs/null_deref.bpf.c, loaded at level 2 on Debian's 6.12 kernel in a playground VM.
  const walk = parseVerifierWalk(fixture('null_deref_level2_vm6.12.log'));
  assert.deepEqual(
    walk.steps.map((s) => s.insn),
    [0, 1, 2, 3, 4, 6, 7],
  );
  // `R1_w=0` is R1, written by this step.
  assert.deepEqual(walk.steps[0]!.changed, ['R1']);
  assert.equal(walk.steps[5]!.state.find((s) => s.name === 'R0')?.type, 'map_value_or_null');
  // The key's store shows in the full state 6.12 prints after its precision marks.
  assert.ok(walk.steps[2]!.state.some((s) => s.name === 'fp-8'));
  assert.deepEqual(walk.failure, { message: "R0 invalid mem access 'map_value_or_null'", step: 6 });
  assert.equal(walk.steps[6]!.source?.line, 20);
  assert.equal(lastWriter(walk, 6, 'R0'), 5);
  assert.equal(walk.figures?.processedInsns, 7);
  assert.equal(walk.figures?.stackDepth, 8);
});
