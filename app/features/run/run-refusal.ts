import type { PlaygroundError } from '../../../protocol/messages.ts';

/** A Run the server (or the page, before sending) turned down: nothing of the running program changed. */
export interface RunRefusal {
  error: PlaygroundError;
  /** Date.now() from which Run may be pressed again, when the refusal was the rate limit; null otherwise. */
  retryAt: number | null;
}

export function runRefusal(error: PlaygroundError, now: number): RunRefusal {
  return { error, retryAt: error.code === 'rate_limited' && error.retryAfterMs !== undefined ? now + error.retryAfterMs : null };
}

/** Whole seconds until Run may be pressed again, rounded up; 0 once it may. */
export function secondsUntilRun(refusal: RunRefusal | null, now: number): number {
  if (!refusal?.retryAt) return 0;
  return Math.max(0, Math.ceil((refusal.retryAt - now) / 1000));
}

/** The refusal in one sentence, saying that the program already running (if any) goes on. */
export function describeRefusal(error: PlaygroundError, running: boolean): string {
  return `The run could not start. ${error.message}${running ? ' The program that was running goes on.' : ''}`;
}
