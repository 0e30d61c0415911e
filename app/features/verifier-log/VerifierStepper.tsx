'use client';

import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { controlFlow } from '../../../protocol/verifier-flow.ts';
import { lastWriter, type VerifierWalk } from '../../../protocol/verifier-steps.ts';
import { ControlFlowGraph } from './ControlFlowGraph.tsx';
import { formatNumber } from '../../common/format.ts';
import { boundsText, stepLabel } from './stepper-view.ts';
import styles from './verifier-log.module.css';
import ui from '../../common/ui.module.css';

interface VerifierStepperProps {
  walk: VerifierWalk;
  /** Puts a C line in view in the editor, leaving the focus here. */
  onShowLine(file: string, line: number): void;
  /** Loads the program again with the verifier's every step logged (log level 2); absent when it already was. */
  onLoadEveryStep?: () => void;
}

/**
 * The verifier's walk, one instruction at a time, as its log tells it: the
 * instructions on the left (the C line of each, the failing one marked), the
 * registers and stack slots the verifier knew after the chosen one on the
 * right, with what it changed, read and wrote. Arrow keys step; a register's
 * name jumps to the step that last wrote it.
 */
export function VerifierStepper({ walk, onShowLine, onLoadEveryStep }: VerifierStepperProps) {
  const last = walk.steps.length - 1;
  const [current, setCurrent] = useState(walk.failure?.step ?? last);
  const listRef = useRef<HTMLDivElement>(null);
  const ids = useId();
  const step = walk.steps[Math.min(current, last)]!;

  // A new walk (another load) starts where it failed, or at its end.
  useEffect(() => setCurrent(walk.failure?.step ?? walk.steps.length - 1), [walk]);

  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
    if (step.source && step.source.line > 0) onShowLine(step.source.file, step.source.line);
  }, [step, onShowLine]);

  const onKeyDown = (event: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: last, PageDown: current + 10, PageUp: current - 10 };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    setCurrent(Math.max(0, Math.min(last, next)));
  };

  const pruned = useMemo(() => new Set(walk.pruned.map((p) => p.from)), [walk.pruned]);
  const flow = useMemo(() => controlFlow(walk), [walk]);
  const onFailurePath = useMemo(() => new Set(flow.failurePath), [flow]);
  const blockOf = (insn: number) => flow.blocks.findIndex((b) => b.first <= insn && insn <= b.last);
  const failedBlock = walk.failure ? blockOf(walk.steps[walk.failure.step]!.insn) : null;
  const [origin, setOrigin] = useState<{ name: string; found: boolean } | null>(null);
  const follow = (name: string) => {
    const writer = lastWriter(walk, current, name);
    setOrigin({ name, found: writer !== null });
    if (writer !== null) setCurrent(writer);
  };

  return (
    <div className={styles.stepper} data-testid="verifier-stepper">
      <p className={`${styles.stepperSummary} ${ui.muted}`}>
        {formatNumber(walk.steps.length)} steps in the log
        {walk.figures &&
          `; the verifier processed ${formatNumber(walk.figures.processedInsns)} instructions and kept ${formatNumber(walk.figures.totalStates)} states (at most ${formatNumber(walk.figures.peakStates)} at once)`}
        {walk.pruned.length > 0 && `; ${walk.pruned.length} branch${walk.pruned.length === 1 ? '' : 'es'} pruned`}. ↑ ↓ step, Home and End jump.
        {onLoadEveryStep && (
          <>
            {' '}
            <button type="button" className={`${ui.linkButton} ${ui.inline}`} onClick={onLoadEveryStep}>
              Load again with every step (log level 2)
            </button>
          </>
        )}
      </p>
      <div className={styles.stepperPanes}>
        <div
          className={styles.stepList}
          ref={listRef}
          role="listbox"
          tabIndex={0}
          onKeyDown={onKeyDown}
          aria-label="Verifier steps"
          aria-activedescendant={`${ids}-${current}`}
          data-testid="verifier-steps"
        >
          {walk.steps.map((s, i) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox takes the keys (arrows, Home, End) for all its options
            <div
              // biome-ignore lint/suspicious/noArrayIndexKey: a step's place in the walk is its identity (an instruction is visited more than once)
              key={i}
              id={`${ids}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === current}
              className={`${styles.stepRow} ${i === current ? styles.stepCurrent : ''} ${walk.failure?.step === i ? styles.stepFailed : onFailurePath.has(i) ? styles.stepOnPath : ''}`}
              data-on-failure-path={onFailurePath.has(i) || undefined}
              onClick={() => setCurrent(i)}
            >
              {s.from !== undefined && <span className={styles.stepBranch}>↳ from the branch at {s.from}</span>}
              <span className={styles.stepLine}>
                <span className={`${styles.stepInsn} ${ui.num}`}>{s.insn}</span>
                <span className={`${styles.stepAsm} ${ui.mono}`}>{s.asm}</span>
                {pruned.has(s.insn) && (
                  <span
                    className={styles.stepPruned}
                    title="The other way of this branch was not walked again: a state at least as precise had been seen there"
                  >
                    pruned
                  </span>
                )}
              </span>
            </div>
          ))}
        </div>
        <div className={styles.stepState} data-testid="verifier-step-state">
          <p className={styles.stepWhere}>
            <span className={ui.mono}>{stepLabel(step)}</span>
            {step.source && step.source.line > 0 && (
              <>
                {' '}
                <button type="button" className={`${ui.linkButton} ${ui.inline}`} onClick={() => onShowLine(step.source!.file, step.source!.line)}>
                  {step.source.file}:{step.source.line}
                </button>
                <code className={styles.stepSource}>{step.source.text}</code>
              </>
            )}
          </p>
          {flow.blocks.length > 1 && (
            <details className={styles.flowSection} open>
              <summary>
                Control flow: {flow.blocks.length} blocks as the verifier walked them
                {walk.failure ? ', the path to the rejection in red' : ''}
              </summary>
              <ControlFlowGraph flow={flow} currentBlock={blockOf(step.insn)} failedBlock={failedBlock} onPick={setCurrent} />
            </details>
          )}
          {walk.failure?.step === current && (
            <p className={styles.stepError} role="alert">
              ✗ {walk.failure.message}
            </p>
          )}
          {origin && (
            <p className={ui.muted} data-testid="verifier-origin">
              {origin.found
                ? `${origin.name.toUpperCase()} was last written here.`
                : `Nothing before this step wrote ${origin.name.toUpperCase()}: it held its value from the start.`}
            </p>
          )}
          <table className={styles.stateTable} aria-label="Registers and stack">
            <thead>
              <tr>
                <th scope="col">slot</th>
                <th scope="col">type</th>
                <th scope="col">bounds and ids</th>
                <th scope="col">
                  <span className={ui.visuallyHidden}>read or written</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {step.state.map((slot) => {
                const lower = slot.name.toLowerCase();
                const use = [step.reads.includes(lower) ? 'read' : '', step.writes.includes(lower) ? 'written' : ''].filter(Boolean).join(', ');
                return (
                  <tr key={slot.name} className={step.changed.includes(slot.name) ? styles.stateChanged : undefined} data-testid="verifier-slot">
                    <th scope="row">
                      <button
                        type="button"
                        className={`${ui.linkButton} ${ui.mono}`}
                        onClick={() => follow(lower)}
                        title={`Go to the step that last wrote ${slot.name}`}
                      >
                        {slot.name}
                      </button>
                    </th>
                    <td className={ui.mono} data-testid="verifier-slot-type">
                      {slot.type}
                    </td>
                    <td className={ui.mono} title={slot.text}>
                      {boundsText(slot)}
                    </td>
                    <td className={ui.muted}>{use}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {step.changed.some((name) => !step.state.some((s) => s.name === name)) && (
            <p className={ui.muted}>
              No longer readable after this step: {step.changed.filter((name) => !step.state.some((s) => s.name === name)).join(', ')}.
            </p>
          )}
        </div>
      </div>
    </div>
  );
}
