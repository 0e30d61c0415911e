import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { controlFlow, pathTo } from './verifier-flow.ts';
import { parseVerifierWalk } from './verifier-steps.ts';

// Logs captured from Linux 6.18, of programs in server/verifier/programs/ and of two that pass.
const walkOf = (name: string) => parseVerifierWalk(readFileSync(new URL(`../server/verifier/fixtures/${name}`, import.meta.url), 'utf8'));
const edges = (flow: ReturnType<typeof controlFlow>) =>
  flow.edges.map(
    (e) => `${e.from}${e.kind === 'jump' ? '~>' : '->'}${e.to}${e.walked ? '' : ' unwalked'}${e.pruned ? ' pruned' : ''}${e.onFailurePath ? ' failure' : ''}`,
  );

test('a rejection behind a branch: its blocks, the jump the verifier took, and the path to the failing store', () => {
  const walk = walkOf('out_of_bounds_branch.log');
  const flow = controlFlow(walk);
  assert.deepEqual(
    flow.blocks.map((b) => [b.first, b.last]),
    [
      [0, 8],
      [9, 11],
      [19, 24],
    ],
  );
  assert.deepEqual(flow.blocks[1]!.source, { file: 'prog.bpf.c', line: 21 });
  // Insn 11 jumps to 19; its fall-through (12) was never reached, and 8's jump to 25 neither: no edges to them.
  assert.deepEqual(edges(flow), ['0->1 failure', '1~>2 failure']);
  assert.equal(flow.failurePath.at(-1), walk.failure!.step);
  assert.equal(flow.failurePath.length, walk.steps.length, 'a level 1 log holds the failing path only');
  // The jump's inline state (`goto pc+7 19: R0=0 …`) is not part of its instruction.
  assert.equal(walk.steps.find((s) => s.insn === 11)!.asm, 'if r0 == 0x0 goto pc+7');
});

test('a loop the verifier walked four times before giving up', () => {
  const flow = controlFlow(walkOf('unbounded_loop.log'));
  assert.deepEqual(edges(flow), ['0->1 failure', '1~>1 failure']);
  assert.equal(flow.blocks[1]!.visits, 4);
});

test('a passing program walked at level 2: a branch taken up again, and a pruned one', () => {
  const branches = walkOf('branch_counter_level2.log');
  const flow = controlFlow(branches);
  assert.equal(flow.failurePath.length, 0);
  assert.deepEqual(
    flow.blocks.map((b) => b.visits),
    [1, 1, 1, 2],
  );
  assert.ok(flow.edges.every((e) => e.walked));

  const loop = controlFlow(walkOf('bounded_loop_level2.log'));
  assert.deepEqual(edges(loop), ['0~>2 unwalked pruned', '0->1', '1->2']);
});

test('the path to a step taken up at a branch goes back through that branch', () => {
  const walk = walkOf('branch_counter_level2.log');
  const resumed = walk.steps.findIndex((s) => s.from !== undefined);
  const path = pathTo(walk, resumed);
  const branch = path.at(-2)!;
  assert.equal(walk.steps[branch]!.insn, walk.steps[resumed]!.from);
  // Nothing walked after the branch on the other path is on this one.
  assert.ok(path.slice(0, -1).every((i) => i <= branch));
  assert.equal(path[0], 0);
});
