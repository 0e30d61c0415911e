import { useCallback } from 'react';
import type { AttachSettings, MapSeed, SourceFile } from '../../../protocol/messages.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import type { Say } from '../playground/use-toast.ts';
import type { RunControls } from './use-run.ts';
import { isActive, type RunView } from './run-view.ts';

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

/** Run, Stop and the triggers (one execve, one openat) as the top bar and the shortcuts use them. */
export function useRunControls(
  { client }: ClientHandle,
  view: RunView,
  { start, stop }: RunControls,
  { files, kernel, attach, checkSeeds, onStart, say }: RunControlOptions,
) {
  const active = isActive(view.phase);
  const run = useCallback(async () => {
    if (!files.length) return;
    const seeds = checkSeeds();
    if (!seeds) return;
    onStart();
    await start(files, seeds, kernel, attach);
  }, [files, checkSeeds, onStart, start, kernel, attach]);

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

  return { run, stopRun, trigger };
}
