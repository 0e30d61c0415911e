import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { AttachSettings, MapSeed, SourceFile } from '../../../protocol/messages.ts';
import type { EventStore } from '../events/event-store.ts';
import type { RequestResult } from '../connection/playground-client.ts';
import { initialRunView, runReducer, type RunView } from './run-view.ts';
import type { TraceBuffer } from './trace-buffer.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';

/** The server's default map refresh; other intervals are sent after each Run. */
export const DEFAULT_MAP_INTERVAL_MS = 1000;

export interface RunControls {
  view: RunView;
  start(files: SourceFile[], seeds: MapSeed[], kernel?: string, attach?: AttachSettings): Promise<RequestResult>;
  stop(): Promise<RequestResult>;
}

/**
 * The current run, as the server reports it. Trace lines go to the
 * TraceBuffer and event records to the EventStore (both outside React);
 * everything else to a reducer. Messages of any run but the latest are ignored.
 */
export function useRun({ client, welcome }: ClientHandle, trace: TraceBuffer, events: EventStore, mapIntervalMs: number): RunControls {
  const [view, dispatch] = useReducer(runReducer, initialRunView);
  const runIdRef = useRef<number | null>(null);
  const intervalRef = useRef(mapIntervalMs);
  intervalRef.current = mapIntervalMs;

  useEffect(() => {
    if (!client) return;
    return client.on('run_message', (message) => {
      if (message.runId !== runIdRef.current) return;
      if (message.type === 'trace') {
        trace.append(message.lines, message.dropped, Date.now(), message.kernelLost);
        return;
      }
      if (message.type === 'events') {
        events.append(message);
        return;
      }
      dispatch({ type: 'message', message, at: Date.now() });
    });
  }, [client, trace, events]);

  // A dropped connection's session (and its run) waits on the server for a while; a welcome
  // that did not resume it means the run is gone.
  useEffect(() => {
    if (welcome && !welcome.resumed && welcome.count > 1) dispatch({ type: 'session_lost', at: Date.now() });
  }, [welcome]);

  useEffect(() => {
    if (!client) return;
    return client.on('session_end', (reason) => dispatch({ type: 'session_ended', reason, at: Date.now() }));
  }, [client]);

  const start = useCallback(
    async (files: SourceFile[], seeds: MapSeed[], kernel?: string, attach?: AttachSettings): Promise<RequestResult> => {
      if (!client) return { ok: false, error: { code: 'internal', message: 'The page is still starting.' } };
      const { runId, result } = client.run(files, seeds, kernel, attach);
      runIdRef.current = runId;
      trace.reset();
      events.reset();
      dispatch({ type: 'started', runId, at: Date.now() });
      const answer = await result;
      if (!answer.ok) {
        dispatch({ type: 'refused', runId, error: answer.error, at: Date.now() });
      } else if (intervalRef.current !== DEFAULT_MAP_INTERVAL_MS) {
        void client.request({ type: 'set_map_interval', ms: intervalRef.current });
      }
      return answer;
    },
    [client, trace, events],
  );

  const stop = useCallback(async (): Promise<RequestResult> => {
    if (!client) return { ok: true };
    return client.request({ type: 'stop' });
  }, [client]);

  return { view, start, stop };
}
