// The control flow of a verifier walk: the program's basic blocks as the verifier
// saw them, the edges between them, which it walked and pruned, and the path that
// led to a rejection. Read from the walk alone (protocol/verifier-steps.ts), so a
// block the verifier never reached is not drawn. No `node:` imports: the page reads it.
import type { VerifierWalk } from './verifier-steps.ts';

export interface FlowBlock {
  /** First and last instruction index. */
  first: number;
  last: number;
  /** The C line of its first instruction with one, when the log said. */
  source: { file: string; line: number } | null;
  /** Times the verifier walked into it: more than once where paths were explored again. */
  visits: number;
  /** The step to go to for this block: its first step on the path shown, else its first step. */
  step: number;
}

export interface FlowEdge {
  from: number;
  to: number;
  /** `jump`: a goto's target; `fall`: on to the next instruction. */
  kind: 'jump' | 'fall';
  /** The verifier walked this way. */
  walked: boolean;
  /** It did not walk this way again: an equal or more precise state had been seen at its target. */
  pruned: boolean;
  /** On the path that led to the rejection. */
  onFailurePath: boolean;
}

export interface ControlFlow {
  blocks: FlowBlock[];
  edges: FlowEdge[];
  /** The steps of the path that led to the rejection, first to last; empty when the load passed. */
  failurePath: number[];
}

// `goto pc+5`, `if r0 == 0x0 goto pc+4`, `gotol pc-3`, `may_goto pc+2`.
const JUMP = /\bgotol? pc([+-]\d+)/;
const UNCONDITIONAL = /^(goto|gotol)\b/;

/** The walk's blocks and edges, indexed by block: `edges[].from` and `.to` are indices into `blocks`. */
export function controlFlow(walk: VerifierWalk): ControlFlow {
  const asmAt = new Map<number, string>();
  for (const step of walk.steps) if (!asmAt.has(step.insn)) asmAt.set(step.insn, step.asm);
  const insns = [...asmAt.keys()].sort((a, b) => a - b);
  if (!insns.length) return { blocks: [], edges: [], failurePath: [] };

  const targetOf = (insn: number): number | null => {
    const jump = JUMP.exec(asmAt.get(insn)!);
    return jump ? insn + 1 + Number(jump[1]) : null;
  };
  const endsBlock = (insn: number) => targetOf(insn) !== null || asmAt.get(insn) === 'exit';

  // A block starts at the first instruction, at a jump's target, and after a jump or an exit.
  const leaders = new Set([insns[0]!]);
  for (const [i, insn] of insns.entries()) {
    const target = targetOf(insn);
    if (target !== null) leaders.add(target);
    if (endsBlock(insn) && i + 1 < insns.length) leaders.add(insns[i + 1]!);
  }
  const ranges: { first: number; last: number }[] = [];
  for (const insn of insns) {
    if (leaders.has(insn) || !ranges.length) ranges.push({ first: insn, last: insn });
    else ranges.at(-1)!.last = insn;
  }
  const blockOf = (insn: number) => ranges.findIndex((r) => r.first <= insn && insn <= r.last);

  const failurePath = walk.failure ? pathTo(walk, walk.failure.step) : [];
  const onPath = new Set(failurePath);
  const blocks: FlowBlock[] = ranges.map((range) => ({ ...range, source: null, visits: 0, step: -1 }));
  const walked = new Set<string>();
  const pathEdges = new Set<string>();
  let previous: number | null = null;
  for (const [i, step] of walk.steps.entries()) {
    const block = blockOf(step.insn);
    const entry = blocks[block]!;
    if (!entry.source && step.source && step.source.line > 0) entry.source = { file: step.source.file, line: step.source.line };
    if (step.insn === entry.first || step.from !== undefined) entry.visits++;
    if (entry.step < 0 || (onPath.has(i) && !onPath.has(entry.step))) entry.step = i;
    // A path taken up again starts from its branch, not from the step printed before it.
    const cameFrom: number | null = step.from !== undefined ? blockOf(step.from) : previous;
    if (cameFrom !== null && (cameFrom !== block || step.insn === entry.first)) {
      walked.add(`${cameFrom}>${block}`);
      if (onPath.has(i)) pathEdges.add(`${cameFrom}>${block}`);
    }
    previous = block;
  }
  const pruned = new Set(walk.pruned.map((p) => `${blockOf(p.from)}>${blockOf(p.to)}`));

  const edges: FlowEdge[] = [];
  const add = (from: number, toInsn: number, kind: FlowEdge['kind']) => {
    const to = blockOf(toInsn);
    if (to < 0) return; // never reached by the verifier
    const key = `${from}>${to}`;
    edges.push({ from, to, kind, walked: walked.has(key), pruned: pruned.has(key), onFailurePath: pathEdges.has(key) });
  };
  for (const [index, range] of ranges.entries()) {
    const lastAsm = asmAt.get(range.last)!;
    const target = targetOf(range.last);
    if (target !== null) add(index, target, 'jump');
    // A conditional jump falls through to the very next instruction (jumps take one
    // slot); any other block runs on into the next one the verifier saw.
    if (target !== null && !UNCONDITIONAL.test(lastAsm)) add(index, range.last + 1, 'fall');
    else if (target === null && lastAsm !== 'exit' && index + 1 < ranges.length) add(index, ranges[index + 1]!.first, 'fall');
  }
  return { blocks, edges, failurePath };
}

/**
 * The steps that led to `step`: back through the path it is on to where that
 * path was taken up (a `from` step), then on from the branch it left, and so on
 * to the first step.
 */
export function pathTo(walk: VerifierWalk, step: number): number[] {
  const branchOf = branchSteps(walk);
  const path: number[] = [];
  for (let i = step; i >= 0; i = branchOf.get(i) ?? i - 1) path.push(i);
  return path.reverse();
}

/**
 * For each step that takes a path up again, the step of the branch it left:
 * the latest visit of that instruction not already taken up, as the verifier
 * pops the branches it pushed last first.
 */
function branchSteps(walk: VerifierWalk): Map<number, number> {
  const branchOf = new Map<number, number>();
  const taken = new Set<number>();
  for (const [i, step] of walk.steps.entries()) {
    if (step.from === undefined) continue;
    let branch = i - 1;
    while (branch >= 0 && (walk.steps[branch]!.insn !== step.from || taken.has(branch))) branch--;
    if (branch < 0) continue;
    taken.add(branch);
    branchOf.set(i, branch);
  }
  return branchOf;
}
