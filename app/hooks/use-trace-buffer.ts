import { useEffect, useState } from 'react';
import type { TraceBuffer } from '../lib/trace-buffer.ts';

/**
 * Re-renders the caller when the trace buffer changes, at most once per
 * animation frame however many batches arrive: thousands of lines a second
 * cost one render a frame.
 */
export function useTraceVersion(buffer: TraceBuffer): number {
  const [version, setVersion] = useState(buffer.version);
  useEffect(() => {
    let frame = 0;
    const unsubscribe = buffer.subscribe(() => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion(buffer.version);
      });
    });
    setVersion(buffer.version);
    return () => {
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [buffer]);
  return version;
}
