'use client';

import type { Diagnostic } from '../../../protocol/messages.ts';
import { plural } from '../../common/format.ts';
import type { ProblemFix } from './use-legacy-map-fixes.ts';
import styles from './editor.module.css';

interface ProblemsListProps {
  diagnostics: Diagnostic[];
  fileOf(diagnostic: Diagnostic): string | null;
  open: boolean;
  onToggle(): void;
  onSelect(file: string, line: number, column: number): void;
  /** A one-click fix offered beside a problem (a legacy map's Convert), or why there is none. */
  fixFor(diagnostic: Diagnostic): ProblemFix | null;
  /** What the last fix did. */
  note: string | null;
}

const ICON = { error: '⊗', warning: '⚠', note: 'ⓘ' } as const;

/** Compile (and verifier) diagnostics under the editor; a click jumps to the line, a fix beside one makes it. */
export function ProblemsList({ diagnostics, fileOf, open, onToggle, onSelect, fixFor, note }: ProblemsListProps) {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  return (
    <section className={styles.problems} aria-label="Problems">
      <button type="button" className={styles.problemsHeader} aria-expanded={open} onClick={onToggle}>
        <span className={styles.chevron} aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        Problems
        <span className={`${styles.problemsCount} ${errors ? styles.hasErrors : ''}`} data-testid="problems-count">
          {diagnostics.length ? `${plural(errors, 'error')}, ${plural(warnings, 'warning')}` : 'none'}
        </span>
      </button>
      {open && note && (
        <p className={styles.problemsNote} role="status">
          {note}
        </p>
      )}
      {open && diagnostics.length > 0 && (
        <ul className={styles.problemsList}>
          {keyed(diagnostics).map(({ key, d }) => {
            const file = fileOf(d);
            const where = `${d.file}:${d.line}:${d.column}`;
            const fix = fixFor(d);
            return (
              <li key={key}>
                <button
                  type="button"
                  className={`${styles.problem} ${styles[d.severity] ?? ''}`}
                  data-testid="problem"
                  disabled={!file}
                  onClick={() => file && onSelect(file, d.line, d.column)}
                  title={file ? `Go to ${where}` : `${d.file} is not one of the editor's files`}
                >
                  <span className={styles.problemIcon} role="img" aria-label={d.severity}>
                    {ICON[d.severity]}
                  </span>
                  <span className={styles.problemMessage}>{d.message}</span>
                  <span className={styles.problemWhere}>
                    {where} · {d.source}
                  </span>
                </button>
                {fix?.kind === 'action' && (
                  <p className={styles.problemFixLine}>
                    <button type="button" className={styles.problemFix} onClick={fix.run}>
                      {fix.label}
                    </button>
                    <span>{fix.detail}</span>
                  </p>
                )}
                {fix?.kind === 'refused' && <p className={styles.problemFixLine}>{fix.reason}</p>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** Each diagnostic with a key from what it says and where (the same one twice gets #2). */
function keyed(diagnostics: Diagnostic[]): { key: string; d: Diagnostic }[] {
  const seen = new Map<string, number>();
  return diagnostics.map((d) => {
    const base = `${d.severity} ${d.file}:${d.line}:${d.column} ${d.source} ${d.message}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { key: n === 1 ? base : `${base}#${n}`, d };
  });
}
