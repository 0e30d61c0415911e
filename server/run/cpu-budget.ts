// How much CPU a Run's programs used, judged over a window against the operator's budget.

export interface CpuReading {
  /** Share of one CPU over the samples kept (0.25 = a quarter of a core). */
  share: number;
  /** True once a whole window is in and the share is over the budget. */
  over: boolean;
}

export class CpuBudget {
  private readonly samples: { at: number; runTimeNs: number }[] = [];

  constructor(
    /** Share of one CPU allowed (config `limits.cpuBudget`). */
    readonly budget: number,
    readonly windowMs: number,
  ) {}

  /** Adds the programs' cumulative run time, read at `at` (ms). */
  sample(runTimeNs: number, at: number): CpuReading {
    this.samples.push({ at, runTimeNs });
    while (this.samples.length > 1 && at - this.samples[1]!.at >= this.windowMs) this.samples.shift();
    const oldest = this.samples[0]!;
    const spanMs = at - oldest.at;
    const share = spanMs > 0 ? (runTimeNs - oldest.runTimeNs) / 1e6 / spanMs : 0;
    // Judged only over a whole window, so one busy moment does not count.
    return { share, over: spanMs >= this.windowMs * 0.9 && share > this.budget };
  }

  /** The sentence for programs detached over the budget. */
  refusal(share: number): string {
    const percent = (x: number) => `${Math.round(x * 100)}%`;
    return `Your programs used ${percent(share)} of a CPU over the last ${this.windowMs / 1000} s; the limit is ${percent(this.budget)}, so they were detached. Do less work per event, or attach to a rarer one.`;
  }
}
