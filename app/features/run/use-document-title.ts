import { useEffect } from 'react';
import type { RunPhase } from './run-view.ts';

/** The browser tab's title says when a program is loaded in the kernel, or failed. */
export function useDocumentTitle(phase: RunPhase): void {
  useEffect(() => {
    document.title = phase === 'running' ? '● eBPF Playground (running)' : phase === 'error' ? '✕ eBPF Playground' : 'eBPF Playground';
  }, [phase]);
}
