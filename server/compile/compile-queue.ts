/**
 * Runs compiles a few at a time (one per core by default), first come first
 * served. Fifty people pressing Run at once then get fifty compiles that each
 * finish in their usual time, one after another, instead of fifty that all
 * crawl past their time limit together.
 *
 * A queue made `behind` another one is for work nobody waits on to attach
 * (skeletons, the Inspect tabs): its jobs start only while the other queue
 * has a free slot and nobody in line, so in a rush they take no core from a
 * compile.
 */
export class CompileQueue {
  private running = 0;
  private readonly waiting: Array<{ start: () => void; onPosition: (position: number) => void }> = [];
  /** Queues behind this one, told when it may have room for them. */
  private readonly followers: CompileQueue[] = [];

  constructor(
    private readonly slots: number,
    private readonly ahead: CompileQueue | null = null,
  ) {
    ahead?.followers.push(this);
  }

  /** Runs `job` when a slot is free; `onPosition` hears the place in line (1 = next) while it waits. */
  async run<T>(job: () => Promise<T>, onPosition: (position: number) => void = () => {}): Promise<T> {
    if (this.mayStart()) this.running++;
    else {
      // startWaiting() takes the slot for us before it wakes us.
      await new Promise<void>((start) => {
        this.waiting.push({ start, onPosition });
        onPosition(this.waiting.length);
      });
    }
    try {
      return await job();
    } finally {
      this.running--;
      this.startWaiting();
      for (const follower of this.followers) follower.startWaiting();
    }
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** A slot here, and, behind another queue, room there too. */
  private mayStart(): boolean {
    return this.running < this.slots && (!this.ahead || (this.ahead.waiting.length === 0 && this.ahead.running < this.ahead.slots));
  }

  private startWaiting(): void {
    let started = false;
    while (this.waiting.length && this.mayStart()) {
      this.running++;
      this.waiting.shift()!.start();
      started = true;
    }
    if (started) for (const [index, entry] of this.waiting.entries()) entry.onPosition(index + 1);
  }
}
