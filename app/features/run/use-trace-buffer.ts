import type { TraceBuffer } from './trace-buffer.ts';
import { useStoreVersion } from '../../common/use-store-version.ts';

/**
 * Re-renders the caller when the trace buffer changes, at most once per
 * animation frame however many batches arrive: thousands of lines a second
 * cost one render a frame.
 */
export function useTraceVersion(buffer: TraceBuffer): number {
  return useStoreVersion(buffer);
}
