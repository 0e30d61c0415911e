import { useEffect, useState } from 'react';
import type { HostInfo } from '../../../protocol/messages.ts';
import { PlaygroundClient, defaultSocketUrl, type ConnectionState, type Welcome } from './playground-client.ts';

export interface ClientHandle {
  client: PlaygroundClient | null;
  connection: ConnectionState;
  host: HostInfo | null;
  sessionId: string | null;
  /** When the server ends this session (ms since the epoch). */
  expiresAt: number | null;
  /** The latest welcome; a new object per (re)connection. */
  welcome: (Welcome & { count: number }) | null;
  /** Bumped on every welcome, so data fetched per connection (examples) is fetched again. */
  welcomes: number;
}

const CONNECTING: ConnectionState = { status: 'connecting', attempt: 0, retryAt: null, refused: null, reason: null };

/** The page's one PlaygroundClient: opened on mount, closed by the effect's cleanup. */
export function usePlaygroundClient(): ClientHandle {
  const [client, setClient] = useState<PlaygroundClient | null>(null);
  const [connection, setConnection] = useState<ConnectionState>(CONNECTING);
  const [welcome, setWelcome] = useState<(Welcome & { count: number }) | null>(null);

  useEffect(() => {
    const created = new PlaygroundClient({ url: defaultSocketUrl(window.location), client: 'browser' });
    const offConnection = created.on('connection', setConnection);
    const offWelcome = created.on('welcome', (event) => setWelcome((previous) => ({ ...event, count: (previous?.count ?? 0) + 1 })));
    const offProtocol = created.on('protocol_error', (message) => console.warn(`eBPF Playground: ${message}`));
    // Coming back online or to the tab is a good moment to skip the backoff wait.
    const retry = () => created.retryNow();
    window.addEventListener('online', retry);
    document.addEventListener('visibilitychange', retry);
    created.connect();
    setClient(created);
    return () => {
      window.removeEventListener('online', retry);
      document.removeEventListener('visibilitychange', retry);
      offConnection();
      offWelcome();
      offProtocol();
      created.close();
    };
  }, []);

  return {
    client,
    connection,
    host: welcome?.host ?? null,
    sessionId: welcome?.sessionId ?? null,
    expiresAt: welcome?.expiresAt ?? null,
    welcome,
    welcomes: welcome?.count ?? 0,
  };
}
