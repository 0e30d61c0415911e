import { useCallback } from 'react';
import type { ClientHandle } from '../connection/use-playground-client.ts';

/** Which struct a ring or perf buffer's records decode as (null: raw bytes). */
export function useEventType({ client }: ClientHandle) {
  return useCallback(
    (map: string, typeName: string | null) =>
      client?.request({ type: 'set_event_type', map, typeName }) ??
      Promise.resolve({ ok: false as const, error: { code: 'internal' as const, message: 'Not connected.' } }),
    [client],
  );
}
