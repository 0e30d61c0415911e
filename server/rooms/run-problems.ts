import { MAX_RUN_PROBLEMS, type Diagnostic, type ServerMessage } from '../../protocol/messages.ts';

export type StageOutcome = Extract<ServerMessage, { type: 'compiled' } | { type: 'loaded' }>;

/**
 * Where a failed stage went wrong in the participant's C, for the
 * instructor's viewer to mark: clang's errors, or the verifier's line.
 * A stage that worked has none; warnings are the participant's business.
 */
export function problemsOf(outcome: StageOutcome): Diagnostic[] {
  if (outcome.ok) return [];
  const errors = (outcome.diagnostics ?? []).filter((d) => d.severity === 'error');
  if (!errors.length && outcome.type === 'loaded') {
    // A rejection the log's line info did not map to a diagnostic may still name its line in the explanation.
    const { explanation } = outcome;
    if (explanation?.file && explanation.line !== undefined)
      return [{ file: explanation.file, line: explanation.line, column: 1, severity: 'error', message: explanation.summary, source: 'verifier' }];
  }
  return errors.slice(0, MAX_RUN_PROBLEMS);
}
