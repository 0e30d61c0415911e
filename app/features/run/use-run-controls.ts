import { useCallback } from 'react';
import type { AttachSettings, MapSeed, SourceFile } from '../../../protocol/messages.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import type { Say } from '../playground/use-toast.ts';
import type { RunControls } from './use-run.ts';
import { isActive, type RunView } from './run-view.ts';
import { useRunCountdown } from './use-run-countdown.ts';

interface RunControlOptions {
  files: SourceFile[];
  kernel: string | undefined;
  /** How perf_event, uprobe and usdt programs attach: only what the programs use. */
  attach: AttachSettings | undefined;
  checkSeeds(): MapSeed[] | null;
  /** Called as a run starts (a shared program's "press Run" sentence goes). */
  onStart(): void;
  say: Say;
}

/**
 * Run, Stop and the triggers (one execve, one openat) as the top bar and the shortcuts use them.
 * After the rate limit refused a Run, `runWaitSeconds` counts down to when the server takes one again.
 */
export function useRunControls(
  { client }: ClientHandle,
  view: RunView,
  { start, stop, refusal }: RunControls,
  { files, kernel, attach, checkSeeds, onStart, say }: RunControlOptions,
) {
  const active = isActive(view.phase);
  const runWaitSeconds = useRunCountdown(refusal);
  const runAt = useCallback(
    async (verifierLevel?: 1 | 2) => {
      if (!files.length) return;
      // The shortcut too: a Run the server would refuse is not sent.
      if (runWaitSeconds > 0) return say(`Run is taken again in ${runWaitSeconds} s.`);
      const seeds = checkSeeds();
      if (!seeds) return;
      onStart();
      await start(files, seeds, kernel, attach, verifierLevel);
    },
    [files, checkSeeds, onStart, start, kernel, attach, runWaitSeconds, say],
  );
  const run = useCallback(() => runAt(), [runAt]);
  /** Run, with the verifier's every step in its log (log level 2), for the stepper. */
  const runEveryStep = useCallback(() => runAt(2), [runAt]);

  const stopRun = useCallback(async () => {
    if (!active) return;
    const result = await stop();
    // Stopping what already stopped is no news.
    if (!result.ok && result.error.code !== 'not_running') say(result.error.message);
  }, [active, stop, say]);

  const trigger = useCallback(
    async (what: 'exec' | 'open') => {
      if (!client) return;
      const result = await client.request({ type: 'trigger', what });
      say(result.ok ? (what === 'exec' ? 'Started /bin/true on the server.' : 'Opened /etc/hostname on the server.') : result.error.message);
    },
    [client, say],
  );

  return { run, runEveryStep, stopRun, trigger, runWaitSeconds };
}
