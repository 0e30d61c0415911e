'use client';

import type { ControlFlow, FlowEdge } from '../../../protocol/verifier-flow.ts';
import styles from './verifier-log.module.css';

interface ControlFlowGraphProps {
  flow: ControlFlow;
  /** The block holding the chosen step. */
  currentBlock: number;
  /** The block the verifier stopped in, when it rejected the program. */
  failedBlock: number | null;
  onPick(step: number): void;
}

const ROW = 22;
const GAP = 8;
const LANE = 7;
const centre = (block: number) => block * (ROW + GAP) + ROW / 2;

/**
 * The program's basic blocks as the verifier walked them, in program order,
 * top to bottom. A block that runs on into the next has a short drop below
 * it; jumps are arcs on the right, looping back up for a loop. Solid: walked; dotted: never walked;
 * dashed: pruned (a state seen before); bold and red: the path to the rejection.
 */
export function ControlFlowGraph({ flow, currentBlock, failedBlock, onPick }: ControlFlowGraphProps) {
  const arcs = flow.edges.filter((e) => e.to !== e.from + 1 || e.kind === 'jump');
  // Longer jumps go further out, so arcs nest instead of crossing.
  const lanes = [...new Set(arcs.map((e) => Math.abs(e.to - e.from)))].sort((a, b) => a - b);
  const width = 24 + (lanes.length + 1) * LANE;
  const height = flow.blocks.length * (ROW + GAP);
  return (
    <div className={styles.flowGraph} data-testid="verifier-flow">
      <ol className={styles.flowBlocks} aria-label="Basic blocks">
        {flow.blocks.map((block, i) => {
          const fall = flow.edges.find((e) => e.from === i && e.to === i + 1 && e.kind === 'fall');
          return (
            <li key={block.first} style={{ height: ROW, marginBottom: GAP }}>
              <button
                type="button"
                className={`${styles.flowBlock} ${i === currentBlock ? styles.flowCurrent : ''} ${i === failedBlock ? styles.flowFailed : ''}`}
                onClick={() => onPick(block.step)}
                aria-current={i === currentBlock ? 'step' : undefined}
                title={`Instructions ${block.first}–${block.last}${block.source ? `, from ${block.source.file}:${block.source.line}` : ''}; walked ${block.visits} time${block.visits === 1 ? '' : 's'}`}
              >
                <span>{block.first === block.last ? block.first : `${block.first}–${block.last}`}</span>
                {block.source && <span className={styles.flowLine}>:{block.source.line}</span>}
                {block.visits > 1 && <span className={styles.flowVisits}>×{block.visits}</span>}
              </button>
              {fall && <span className={`${styles.flowFall} ${edgeClass(fall)}`} title={edgeTitle(fall, flow)} />}
            </li>
          );
        })}
      </ol>
      <svg className={styles.flowEdges} width={width} height={height} aria-hidden="true">
        {arcs.map((edge) => (
          <path key={`${edge.from}-${edge.to}-${edge.kind}`} d={edgePath(edge, lanes)} className={edgeClass(edge)}>
            <title>{edgeTitle(edge, flow)}</title>
          </path>
        ))}
      </svg>
    </div>
  );
}

function edgePath(edge: FlowEdge, lanes: number[]): string {
  const y1 = centre(edge.from);
  const y2 = centre(edge.to);
  const x = 10 + (lanes.indexOf(Math.abs(edge.to - edge.from)) + 1) * LANE;
  // A loop to itself: a small hook out and back.
  if (edge.to === edge.from) return `M 0 ${y1 - 4} H ${x} V ${y1 + 4} H 4`;
  return `M 0 ${y1} H ${x} V ${y2} H 4`;
}

function edgeClass(edge: FlowEdge): string {
  if (edge.onFailurePath) return styles.flowEdgeFailure!;
  if (edge.pruned) return styles.flowEdgePruned!;
  return edge.walked ? styles.flowEdgeWalked! : styles.flowEdgeUnwalked!;
}

function edgeTitle(edge: FlowEdge, flow: ControlFlow): string {
  const from = flow.blocks[edge.from]!;
  const to = flow.blocks[edge.to]!;
  const how = edge.kind === 'jump' ? `jump from ${from.last} to ${to.first}` : `${from.last} runs on into ${to.first}`;
  if (edge.onFailurePath) return `${how}: on the path to the rejection`;
  if (edge.pruned) return `${how}: pruned, a state at least as precise had been seen at ${to.first}`;
  return edge.walked ? `${how}: walked` : `${how}: never walked`;
}
