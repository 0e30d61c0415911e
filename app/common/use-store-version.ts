import { useEffect, useState } from 'react';

/** Anything that bumps a version and tells listeners: the TraceBuffer, the EventStore. */
export interface Versioned {
  readonly version: number;
  subscribe(listener: () => void): () => void;
}

/**
 * Re-renders the caller when the store changes, at most once per animation
 * frame however many batches arrive.
 */
export function useStoreVersion(store: Versioned): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => {
    let frame = 0;
    const unsubscribe = store.subscribe(() => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion(store.version);
      });
    });
    setVersion(store.version);
    return () => {
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [store]);
  return version;
}
