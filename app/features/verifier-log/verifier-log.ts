import type { Diagnostic } from '../../../protocol/messages.ts';
import { parseVerifierLog } from '../../../protocol/verifier-log.ts';

/**
 * Where a verifier rejection happened, read from the log with the parser the
 * server uses: the error the verifier printed after the last instruction it
 * checked, at the last `; code @ file:line` annotation before it (libbpf's
 * line info from BTF). Null when the log has neither.
 *
 * The server maps a rejection it can explain to the source itself; this
 * covers the others, so that every rejection points at a line.
 */
export function verifierDiagnostic(log: string): Diagnostic | null {
  const parsed = parseVerifierLog(log);
  const message = parsed.errors.join(' ');
  const at = parsed.annotations.findLast((a) => a.file !== null && a.line > 0);
  if (!message || !parsed.insn || !at?.file) return null;
  return { file: at.file, line: at.line, column: 1, endLine: at.line, endColumn: 1000, severity: 'error', message, source: 'verifier' };
}
