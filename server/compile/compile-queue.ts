/**
 * Runs compiles a few at a time (one per core by default), first come first
 * served. Fifty people pressing Run at once then get fifty compiles that each
 * finish in their usual time, one after another, instead of fifty that all
 * crawl past their time limit together.
 */
export class CompileQueue {
  private running = 0;
  private readonly waiting: Array<{ start: () => void; onPosition: (position: number) => void }> = [];

  constructor(private readonly slots: number) {}

  /** Runs `job` when a slot is free; `onPosition` hears the place in line (1 = next) while it waits. */
  async run<T>(job: () => Promise<T>, onPosition: (position: number) => void = () => {}): Promise<T> {
    if (this.running >= this.slots) {
      await new Promise<void>((start) => {
        this.waiting.push({ start, onPosition });
        onPosition(this.waiting.length);
      });
    }
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      const next = this.waiting.shift();
      if (next) {
        this.waiting.forEach((entry, index) => entry.onPosition(index + 1));
        next.start();
      }
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}
