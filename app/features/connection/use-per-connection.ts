import { useEffect, useState } from 'react';
import type { PlaygroundClient } from './playground-client.ts';
import type { ClientHandle } from './use-playground-client.ts';

/**
 * Data the server serves the same to everyone (examples, the course), asked
 * for again after each (re)connect; the last answer stays while offline.
 * `fetch` must keep its identity (a module-level function, as at every call
 * site): a new one asks again.
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
  }, [client, welcomes, fetch]);
  return data;
}
