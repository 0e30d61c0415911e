import { useEffect, useState } from 'react';
import type { PlaygroundClient } from './playground-client.ts';
import type { ClientHandle } from './use-playground-client.ts';

/**
 * Data the server serves the same to everyone (examples, the course), asked
 * for again after each (re)connect; the last answer stays while offline.
 */
export function usePerConnection<T>({ client, welcomes }: ClientHandle, fetch: (client: PlaygroundClient) => Promise<T | null>): T | null {
  const [data, setData] = useState<T | null>(null);
  useEffect(() => {
    if (!client || !welcomes) return;
    let live = true;
    void fetch(client).then((answer) => {
      if (live && answer) setData(answer);
    });
    return () => {
      live = false;
    };
    // `fetch` is a module-level function at every call site.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, welcomes]);
  return data;
}
