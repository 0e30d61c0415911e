import { useCallback } from 'react';
import { z } from 'zod';
import type { Json } from '../../../protocol/messages.ts';
import { usePreference } from '../../common/use-preference.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import { DEFAULT_MAP_INTERVAL_MS } from '../run/use-run.ts';

/** How often the server reads the maps: remembered, and the next Run starts with it. */
export function useMapInterval() {
  return usePreference('map-interval-ms', z.number().int().min(100).max(60_000), DEFAULT_MAP_INTERVAL_MS);
}

/** The Maps tab's requests: entries written and deleted, and a new refresh interval for the running program. */
export function useMapActions({ client }: ClientHandle, active: boolean, setIntervalMs: (ms: number) => void) {
  const writeEntry = useCallback(
    (map: string, key: Json, value: Json) => client?.request({ type: 'map_update', map, key, value }) ?? Promise.resolve({ ok: true as const }),
    [client],
  );
  const deleteEntry = useCallback(
    (map: string, key: Json) => client?.request({ type: 'map_delete', map, key }) ?? Promise.resolve({ ok: true as const }),
    [client],
  );
  const changeInterval = useCallback(
    (ms: number) => {
      setIntervalMs(ms);
      if (client && active) void client.request({ type: 'set_map_interval', ms });
    },
    [client, active, setIntervalMs],
  );
  return { writeEntry, deleteEntry, changeInterval };
}
