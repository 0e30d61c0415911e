import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { AttachSettings, Diagnostic, MapSeed, SourceFile } from '../../../protocol/messages.ts';
import type { EventStore } from '../events/event-store.ts';
import type { RequestResult } from '../connection/playground-client.ts';
import { initialRunView, runReducer, type RunView } from './run-view.ts';
import { runRefusal, type RunRefusal } from './run-refusal.ts';
import type { TraceBuffer } from './trace-buffer.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';

/** The server's default map refresh; other intervals are sent after each Run. */
export const DEFAULT_MAP_INTERVAL_MS = 1000;

export interface RunControls {
  view: RunView;
  /** The last Run that was turned down, while it matters: the running program's view is untouched by it. */
  refusal: RunRefusal | null;
  dismissRefusal(): void;
  start(files: SourceFile[], seeds: MapSeed[], kernel?: string, attach?: AttachSettings, verifierLevel?: 1 | 2): Promise<RequestResult>;
  stop(): Promise<RequestResult>;
  /** Shows clang's diagnostics of the editor's files, compiled ahead, where a Run's show. */
  showPrepared(diagnostics: Diagnostic[]): void;
}

/**
 * The current run, as the server reports it. Trace lines go to the
 * TraceBuffer and event records to the EventStore (both outside React);
 * everything else to a reducer. Messages of any run but the latest are ignored.
 * A new Run replaces the view only once the server has taken it: a refused
 * one leaves the running program's view, its Output and maps streaming.
 */
export function useRun({ client, welcome }: ClientHandle, trace: TraceBuffer, events: EventStore, mapIntervalMs: number): RunControls {
  const [view, dispatch] = useReducer(runReducer, initialRunView);
  const [refusal, setRefusal] = useState<RunRefusal | null>(null);
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

  // "Not connected" is untrue once connected again: that refusal goes with the reconnect.
  useEffect(() => {
    if (welcome) setRefusal((current) => (current?.error.code === 'connection_lost' ? null : current));
  }, [welcome]);

  useEffect(() => {
    if (!client) return;
    return client.on('session_end', (reason) => dispatch({ type: 'session_ended', reason, at: Date.now() }));
  }, [client]);

  const start = useCallback(
    async (files: SourceFile[], seeds: MapSeed[], kernel?: string, attach?: AttachSettings, verifierLevel?: 1 | 2): Promise<RequestResult> => {
      if (!client) return { ok: false, error: { code: 'internal', message: 'The page is still starting.' } };
      const { runId, result } = client.run(files, seeds, kernel, { attach, verifierLevel });
      const answer = await result;
      if (!answer.ok) {
        setRefusal(runRefusal(answer.error, Date.now()));
        return answer;
      }
      // Taken: from here on only this run's messages are news. Its reply comes before any of them,
      // and this runs before the next frame is handled, so none is missed.
      runIdRef.current = runId;
      trace.reset();
      events.reset();
      setRefusal(null);
      dispatch({ type: 'started', runId, at: Date.now() });
      if (intervalRef.current !== DEFAULT_MAP_INTERVAL_MS) void client.request({ type: 'set_map_interval', ms: intervalRef.current });
      return answer;
    },
    [client, trace, events],
  );

  const stop = useCallback(async (): Promise<RequestResult> => {
    if (!client) return { ok: true };
    return client.request({ type: 'stop' });
  }, [client]);

  const dismissRefusal = useCallback(() => setRefusal(null), []);
  const showPrepared = useCallback((diagnostics: Diagnostic[]) => dispatch({ type: 'prepared', diagnostics }), []);

  return { view, refusal, dismissRefusal, start, stop, showPrepared };
}
