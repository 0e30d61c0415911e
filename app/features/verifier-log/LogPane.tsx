'use client';

import { useId, useMemo, useState } from 'react';
import { perfEventName, type ProgramMeta } from '../../../protocol/messages.ts';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import { formatBytes, formatNumber } from '../../common/format.ts';
import type { RunView } from '../run/run-view.ts';
import { withCode } from '../run/OutputPane.tsx';
import { ReadOnlyCode } from '../editor/ReadOnlyCode.tsx';
import { Segment } from '../../common/Segment.tsx';
import { figureParts, parseVerifierWalk } from '../../../protocol/verifier-steps.ts';
import { VerifierStepper } from './VerifierStepper.tsx';
import styles from './verifier-log.module.css';
import ui from '../../common/ui.module.css';

type LogKind = 'steps' | 'verifier' | 'libbpf' | 'clang';

interface LogPaneProps {
  view: RunView;
  scheme: ColorScheme;
  /** Shows the C line the verifier stopped on in the editor. */
  onGoTo(file: string, line: number): void;
  /** Puts a C line in view, the focus left where it is. */
  onShowLine(file: string, line: number): void;
  /** Runs again with the verifier's every step logged (log level 2). */
  onRunEveryStep(): void;
}

/** What the kernel and the tools said: programs and their attach results, then the verifier, libbpf and clang logs. */
export function LogPane({ view, scheme, onGoTo, onShowLine, onRunEveryStep }: LogPaneProps) {
  const logs: Record<LogKind, string> = {
    steps: '',
    verifier: view.loaded?.verifierLog ?? '',
    libbpf: view.loaded?.libbpfLog ?? '',
    clang: view.compiled?.log ?? '',
  };
  // The walk the log tells: the failing path of a rejection at level 1, every path at level 2.
  const walk = useMemo(() => (logs.verifier ? parseVerifierWalk(logs.verifier) : null), [logs.verifier]);
  const stepsShown = !!walk && walk.steps.length > 0;
  const everyStep = /^Live regs before insn:/m.test(logs.verifier);
  // A load asked for every step opens on them.
  const preferred: LogKind =
    stepsShown && everyStep
      ? 'steps'
      : logs.verifier
        ? 'verifier'
        : logs.libbpf && view.loaded && !view.loaded.ok
          ? 'libbpf'
          : view.compiled && !view.compiled.ok
            ? 'clang'
            : 'verifier';
  // Each run opens on the log that explains it: a pick holds while the run and the log that explains it stay the same.
  const [picked, setPicked] = useState<{ runId: number | null; preferred: LogKind; kind: LogKind } | null>(null);
  const kind = picked && picked.runId === view.runId && picked.preferred === preferred ? picked.kind : preferred;
  const setKind = (k: LogKind) => setPicked({ runId: view.runId, preferred, kind: k });
  const logGroup = useId();

  const text = logs[kind];
  const empty: Record<LogKind, string> = {
    steps: '',
    verifier: view.loaded
      ? 'The kernel returned no verifier log for this load.'
      : 'The verifier log appears here after a load: what the kernel checked, instruction by instruction.',
    libbpf: view.loaded ? 'libbpf said nothing.' : "libbpf's messages from opening and loading the object appear here.",
    clang: view.compiled ? 'clang printed nothing: no warnings.' : "clang's warnings and errors appear here after a compile.",
  };

  const explanation = view.loaded?.explanation ?? null;
  return (
    <section className={styles.logPane} aria-label="Verifier log">
      {explanation && (
        <div className={styles.verifierExplanation} data-testid="verifier-explanation">
          <p className={styles.explanationSummary}>
            <span className={styles.explanationIcon} aria-hidden="true">
              ⊗
            </span>
            <span>
              <strong>{withCode(explanation.summary)}</strong>
              {explanation.file && explanation.line ? (
                <>
                  {' '}
                  <button
                    type="button"
                    className={`${ui.linkButton} ${ui.inline}`}
                    onClick={() => onGoTo(explanation.file!, explanation.line!)}
                    title="Show the line in the editor"
                  >
                    {explanation.file}:{explanation.line}
                  </button>
                </>
              ) : null}
            </span>
          </p>
          <p className={styles.explanationHint} data-testid="verifier-hint">
            <span className={styles.explanationLabel}>Fix:</span> {withCode(explanation.hint)}
          </p>
          {explanation.insn !== undefined && (
            <p className={`${styles.explanationInsn} ${ui.muted}`}>
              The verifier stopped at instruction {formatNumber(explanation.insn)}: the end of the log below shows how it got there.
              {stepsShown && kind !== 'steps' && (
                <>
                  {' '}
                  <button type="button" className={`${ui.linkButton} ${ui.inline}`} onClick={() => setKind('steps')}>
                    Step through what the verifier saw
                  </button>
                </>
              )}
            </p>
          )}
        </div>
      )}
      {view.refusal && (
        <div className={styles.verifierExplanation} data-testid="policy-refusal">
          <p className={styles.explanationSummary}>
            <span className={styles.explanationIcon} aria-hidden="true">
              ⊗
            </span>
            <strong>The playground&apos;s policy refused the program before the kernel saw it:</strong>
          </p>
          <ul className={styles.refusalRules}>
            {view.refusal.map((violation) => (
              <li key={violation.rule + violation.message}>{withCode(violation.message)}</li>
            ))}
          </ul>
        </div>
      )}
      {view.changes.length > 0 && (
        <div className={styles.objectChanges} role="note" data-testid="object-changes">
          <p>Fitted to this kernel before load, as the program&apos;s own loader would:</p>
          <ul>
            {view.changes.map((change) => (
              <li key={change.kind + change.name}>{withCode(change.message)}</li>
            ))}
          </ul>
        </div>
      )}
      {view.loaded?.logTruncated && (
        <p className={styles.logTruncated} role="note" data-testid="log-truncated">
          The verifier&apos;s log was cut: it did not fit even the largest buffer the server tries, so part of it is missing below.
        </p>
      )}
      {view.programs.length > 0 && <Programs programs={view.programs} objectSize={view.compiled?.objectSize} stats={view.stats} />}
      <div className={ui.paneToolbar} role="radiogroup" aria-label="Which log">
        {(stepsShown ? (['steps', 'verifier', 'libbpf', 'clang'] as const) : (['verifier', 'libbpf', 'clang'] as const)).map((k) => (
          <Segment key={k} name={logGroup} checked={kind === k} onSelect={() => setKind(k)}>
            {k === 'steps' ? 'Steps' : k === 'verifier' ? 'Verifier' : k === 'libbpf' ? 'libbpf' : 'clang'}
            {logs[k] && <span className={ui.segmentCount}>{formatNumber(logs[k].split('\n').filter(Boolean).length)}</span>}
          </Segment>
        ))}
      </div>
      {kind === 'steps' && walk && stepsShown ? (
        <VerifierStepper walk={walk} onShowLine={onShowLine} onLoadEveryStep={everyStep ? undefined : onRunEveryStep} />
      ) : text ? (
        <ReadOnlyCode text={text} language="plaintext" scheme={scheme} label={`${kind} log`} testId="log-text" revealEnd />
      ) : (
        <div className={ui.emptyState}>
          <p>{empty[kind]}</p>
        </div>
      )}
    </section>
  );
}

function Programs({ programs, objectSize, stats }: { programs: ProgramMeta[]; objectSize?: number; stats: RunView['stats'] }) {
  return (
    <div className={styles.programsScroll}>
      <table className={styles.programsTable} aria-label="Programs">
        <thead>
          <tr>
            <th scope="col">program · section</th>
            <th scope="col">type</th>
            <th scope="col" className={`${styles.num} ${ui.num}`}>
              insns
            </th>
            <th scope="col" className={`${styles.num} ${ui.num}`} title="Times the kernel ran the program since attach">
              runs
            </th>
            <th scope="col" className={`${styles.num} ${ui.num}`} title="Average time per run">
              avg
            </th>
            <th scope="col" title={objectSize ? `The compiled object is ${formatBytes(objectSize)}` : undefined}>
              attached
            </th>
          </tr>
        </thead>
        <tbody>
          {programs.map((p) => {
            const runs = stats?.programs.find((s) => s.name === p.name);
            return (
              <tr key={p.name}>
                <td className={`${ui.mono} ${styles.programCell}`}>
                  {p.name}
                  <span className={styles.programSection}>{p.section}</span>
                </td>
                <td>{p.type}</td>
                <td className={`${styles.num} ${ui.num}`} data-testid="program-insns">
                  {formatNumber(p.instructions)}
                  {p.verifiedInstructions !== undefined && (
                    <span className={styles.programSection} title="Instructions the verifier processed for it: every path and loop turn it walked">
                      {formatNumber(p.verifiedInstructions)} verified
                    </span>
                  )}
                  {p.verifier && (
                    <span
                      className={styles.programFigures}
                      title={`What veristat would report: ${figureParts(p.verifier).join(', ')}`}
                      data-testid="program-verifier"
                    >
                      {/* The processed count is the row's "verified" already: what the walk cost. */}
                      {figureParts(p.verifier, formatNumber).slice(1).join(' · ')}
                    </span>
                  )}
                </td>
                <td className={`${styles.num} ${ui.num}`}>{runs ? formatNumber(runs.runCount) : '–'}</td>
                <td className={`${styles.num} ${ui.num}`}>{runs?.runCount ? `${formatNumber(Math.round(runs.runTimeNs / runs.runCount))} ns` : '–'}</td>
                <td className={p.attached ? `${styles.ok} ${ui.ok}` : p.attachError ? `${styles.bad} ${ui.bad}` : ui.muted} data-testid="program-attach">
                  {p.attached
                    ? p.cpus
                      ? `✓ attached to ${perfEventName(p.perfEvent)} of ${p.cpus} CPU${p.cpus === 1 ? '' : 's'}`
                      : '✓ attached'
                    : (p.attachError ?? (p.notLoaded ? `not loaded: ${p.notLoaded.replace(/^[^:]+: not loaded, /, '')}` : 'not attached'))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
