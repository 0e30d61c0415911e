import type { Outcome } from '../../../protocol/client.ts';
import type { Diagnostic } from '../../../protocol/messages.ts';

/** One prepare the page sent: its place in the order sent, and the text of the files (and kernel) it compiled. */
export interface PrepareSent {
  seq: number;
  text: string;
}

/**
 * What a prepare's answer changes on the page: clang's diagnostics to show,
 * or null to leave what is shown. Only the newest prepare speaks, and only
 * while the editor still holds its files: an older answer arriving late, or
 * one for text the user has since changed, would point at lines that moved.
 * A prepare overtaken by newer files (`superseded`) or turned down says nothing.
 */
export function compileAheadDiagnostics(answer: Outcome<'prepare'>, sent: PrepareSent, now: PrepareSent): Diagnostic[] | null {
  if (sent.seq !== now.seq || sent.text !== now.text) return null;
  if (!answer.ok || answer.outcome !== 'compiled') return null;
  return answer.diagnostics;
}

/** After a prepare the server turned down for asking too often: when to send the same files again, or null for never. */
export function compileAheadRetryMs(answer: Outcome<'prepare'>): number | null {
  if (answer.ok || answer.error.code !== 'rate_limited') return null;
  return answer.error.retryAfterMs ?? 1000;
}
