import { useCallback, useEffect, useState } from 'react';
import type { MapSeed, SourceFile } from '../../../protocol/messages.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import type { WorkspaceActions } from '../workspace/use-workspace.ts';
import type { ShareResult } from './use-share-dialog.ts';

/** Where a shared program stands: asked for once per page, never run by itself. */
export type SharedProgram = { kind: 'waiting' } | { kind: 'opened' } | { kind: 'failed'; message: string } | null;

export interface SharedProgramHandle {
  shared: SharedProgram;
  /** The "press Run" sentence goes once the user ran it or dismissed it. */
  dismiss(): void;
}

/**
 * Opens `?share=ID` into the editor. The program is asked for once, on the
 * first connection: a reconnect must not replace edits made since. An answer
 * lost with the connection is dropped, and the next connection asks again.
 * Until the answer, the editor stays empty (the workspace was told not to open
 * the first example): only a link that fails falls back to it.
 */
export function useSharedProgram({ client, connection }: ClientHandle, shareId: string | null, files: WorkspaceActions): SharedProgramHandle {
  const [shared, setShared] = useState<SharedProgram>(shareId ? { kind: 'waiting' } : null);
  const connected = connection.status === 'open';
  const waiting = shared?.kind === 'waiting';
  useEffect(() => {
    if (!client || !connected || !shareId || !waiting) return;
    let current = true;
    void client.openShare(shareId).then((result) => {
      if (!current) return;
      if (result.ok) files.open({ example: null, files: result.files, seeds: result.seeds });
      else files.openFirstExampleInstead();
      setShared(result.ok ? { kind: 'opened' } : { kind: 'failed', message: result.error.message });
    });
    return () => {
      current = false;
    };
  }, [client, connected, shareId, waiting, files]);
  // Only the "opened" sentence goes: a failure to open stays said.
  const dismiss = useCallback(() => setShared((current) => (current?.kind === 'opened' ? null : current)), []);
  return { shared, dismiss };
}

/** Share's request: the editor's files and seeds kept on the server; null when the seeds do not parse (the page said why). */
export function useShare({ client }: ClientHandle, files: SourceFile[], checkSeeds: () => MapSeed[] | null) {
  return useCallback(async (): Promise<ShareResult | null> => {
    if (!client) return null;
    const seeds = checkSeeds();
    if (!seeds) return null;
    const result = await client.share(files, seeds);
    return result.ok ? result : { ok: false, message: result.error.message };
  }, [client, files, checkSeeds]);
}
