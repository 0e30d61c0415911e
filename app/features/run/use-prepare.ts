import { useEffect, useRef } from 'react';
import type { SourceFile } from '../../../protocol/messages.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';

/** How long the editor must be still before the files are compiled ahead. */
const PAUSE_MS = 700;

/**
 * Asks the server to compile the files whenever the user pauses typing, so
 * that Run finds the object already built (and its minimal BTF made) and
 * goes straight to load. The server runs these compiles only when no Run is
 * waiting for a core, and skips them when asked too often.
 */
export function usePrepare({ client, connection }: ClientHandle, files: SourceFile[], kernel: string | undefined): void {
  const sent = useRef<string | null>(null);
  const open = connection.status === 'open';
  useEffect(() => {
    if (!client || !open || !files.length) return;
    const text = JSON.stringify([kernel, files]);
    if (text === sent.current) return;
    const timer = setTimeout(() => {
      sent.current = text;
      void client.request({ type: 'prepare', files, ...(kernel ? { kernel } : {}) });
    }, PAUSE_MS);
    return () => clearTimeout(timer);
  }, [client, open, files, kernel]);
}
