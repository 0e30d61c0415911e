import type { Diagnostic } from '../../../protocol/messages.ts';

const INSTRUCTION = /^\d+: /;
const SOURCE_LINE = /^;.*@ (\S+):(\d+)\s*$/;

/**
 * Where a verifier rejection happened, read from the log: the message is
 * what the verifier printed after the last instruction it checked, and the
 * place is the last `; code @ file:line` annotation before that instruction
 * (libbpf's line info from BTF). Null when the log has neither.
 *
 * The server sends clang's diagnostics; this turns the verifier's last word
 * into a problem and a marker too, so a rejection points at a line.
 */
export function verifierDiagnostic(log: string): Diagnostic | null {
  const lines = log.split('\n').map((l) => l.trimEnd());
  let end = lines.findLastIndex((l) => l.startsWith('processed '));
  if (end < 0) end = lines.length;
  let lastInstruction = -1;
  for (let i = end - 1; i >= 0; i--) {
    if (INSTRUCTION.test(lines[i]!)) {
      lastInstruction = i;
      break;
    }
  }
  if (lastInstruction < 0) return null;
  const message = lines
    .slice(lastInstruction + 1, end)
    .filter((l) => l && !l.startsWith(';'))
    .join(' ')
    .trim();
  if (!message) return null;
  for (let i = lastInstruction; i >= 0; i--) {
    const match = SOURCE_LINE.exec(lines[i]!);
    if (match && Number(match[2]) > 0) {
      const line = Number(match[2]);
      return { file: match[1]!, line, column: 1, endLine: line, endColumn: 1000, severity: 'error', message, source: 'verifier' };
    }
  }
  return null;
}
