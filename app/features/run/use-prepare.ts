import { useEffect, useMemo, useRef, useState } from 'react';
import type { Diagnostic, RequestId, SourceFile } from '../../../protocol/messages.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import { compileAheadDiagnostics, compileAheadRetryMs, type PrepareSent } from './compile-ahead.ts';

/** How long the editor must be still before the files are compiled ahead. */
const PAUSE_MS = 700;

/**
 * Asks the server to compile the files whenever the user pauses typing, so
 * that Run finds the object already built (and its minimal BTF made) and
 * goes straight to load, and so that clang's errors and warnings show (by
 * `show`, the same way a Run's do) without pressing Run. The server runs
 * these compiles only when no Run is waiting for a core; one it turned down
 * for coming too often is sent again when it says. A Run shows its own
 * compile's diagnostics, so after one the files are compiled ahead again even
 * if they were before: what Problems shows must be the editor's files'.
 */
export function usePrepare(
  { client, connection }: ClientHandle,
  files: SourceFile[],
  kernel: string | undefined,
  runId: RequestId | null,
  show: (diagnostics: Diagnostic[]) => void,
): void {
  const sent = useRef<string | null>(null);
  const text = useMemo(() => JSON.stringify([kernel, files]), [kernel, files]);
  // What was last compiled ahead, and after which Run's diagnostics.
  const sentKey = `${runId}:${text}`;
  const latest = useRef<PrepareSent>({ seq: 0, text });
  latest.current = { seq: latest.current.seq, text };
  const [retries, setRetries] = useState(0);
  const open = connection.status === 'open';
  // biome-ignore lint/correctness/useExhaustiveDependencies: `retries` only asks again for the same files, after a refusal for asking too often.
  useEffect(() => {
    if (!client || !open || !files.length) return;
    if (sentKey === sent.current) return;
    const timer = setTimeout(() => {
      sent.current = sentKey;
      const mine: PrepareSent = { seq: latest.current.seq + 1, text };
      latest.current = mine;
      void client.request({ type: 'prepare', files, ...(kernel ? { kernel } : {}) }).then((answer) => {
        const diagnostics = compileAheadDiagnostics(answer, mine, latest.current);
        if (diagnostics) show(diagnostics);
        const retryMs = compileAheadRetryMs(answer);
        if (retryMs !== null && mine.seq === latest.current.seq) {
          sent.current = null;
          setTimeout(() => setRetries((n) => n + 1), retryMs);
        }
      });
    }, PAUSE_MS);
    return () => clearTimeout(timer);
  }, [client, open, files, kernel, text, sentKey, show, retries]);
}
