/**
 * The host kernel's memory, shared by every session on it: each Run
 * reserves its maps' estimated size (policy/estimateMapBytes) before load
 * and gives it back when it stops, so a room cannot together exhaust what
 * no one session's cap would stop. A VM's maps live in its own capped memory.
 */
import { formatBytes } from '../../policy/policy.ts';

export class KernelMemoryBudget {
  private used = 0;

  constructor(readonly totalBytes: number) {}

  /** Takes `bytes`; returns how to give them back, or the sentence saying why not. */
  reserve(bytes: number): { release: () => void } | { problem: string } {
    if (this.used + bytes > this.totalBytes) {
      const left = Math.max(0, this.totalBytes - this.used);
      return {
        problem: `The maps would take about ${formatBytes(bytes)} of kernel memory, and the programs running on this host leave ${formatBytes(left)} of the ${formatBytes(this.totalBytes)} all sessions share: make max_entries smaller, or try again when others stop.`,
      };
    }
    this.used += bytes;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.used -= bytes;
      },
    };
  }
}
