/**
 * VMs booted ahead for one kernel, so a Run takes a ready guest instead of
 * waiting for a boot. Every VM goes to one session only and is never handed
 * to another: a session's VM dies with the session. Boots are limited across
 * all pools (under TCG each takes a core for its whole boot), and so is the
 * number of VMs that exist at once; past that, takers wait in line.
 */
import type { LoaderWait } from '../sandbox.ts';
import { GuestVm, type VmImage, type VmOptions } from './guest-vm.ts';

/** Shared by every kernel's pool: how many VMs may exist, and boot, at once. */
export class VmBudget {
  vms = 0;
  booting = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    readonly maxVms: number,
    readonly bootConcurrency: number,
  ) {}

  /** Waits for room for one more VM. */
  async reserve(onQueued: (position: number) => void): Promise<void> {
    while (this.vms >= this.maxVms) {
      onQueued(this.waiters.length + 1);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.vms++;
  }

  release(): void {
    this.vms--;
    this.waiters.shift()?.();
  }
}

export class VmPool {
  private readonly ready: GuestVm[] = [];
  private refilling = false;
  /** The spare the pool is booting now, which a take may wait for. */
  private sparesBooting: GuestVm | null = null;
  /** Takes waiting for that spare. */
  private readonly takers: (() => void)[] = [];
  private closed = false;
  /** Every VM this pool started that is still alive, spare or taken: killed on close. */
  private readonly live = new Set<GuestVm>();

  constructor(
    private readonly image: VmImage,
    private readonly options: VmOptions,
    private readonly size: number,
    private readonly budget: VmBudget,
  ) {}

  /** VMs booted and waiting for a session. */
  get spares(): number {
    return this.ready.filter((vm) => vm.alive).length;
  }

  /**
   * Starts filling the pool in the background. A boot that fails stops the
   * filling until the next take: a broken image must not boot in a loop.
   */
  fill(): void {
    if (this.refilling || this.closed) return;
    this.refilling = true;
    void (async () => {
      try {
        while (!this.closed && this.spares < this.size && this.budget.vms < this.budget.maxVms) {
          const vm = await this.boot(() => {});
          this.sparesBooting = vm;
          await vm.ready.catch(() => {});
          this.sparesBooting = null;
          if (vm.alive && !this.closed) this.ready.push(vm);
          this.wakeTakers();
          if (!vm.alive) break;
        }
      } finally {
        this.refilling = false;
        this.wakeTakers();
      }
    })();
  }

  /** A VM for one session: a spare one that is ready, else the spare being booted, else one booted now. */
  async take(onWait: (wait: LoaderWait) => void): Promise<GuestVm> {
    for (;;) {
      if (this.closed) throw new Error('the playground is shutting down');
      // The first ready VM that is still alive; dead ones are dropped on the way.
      let vm = this.ready.shift();
      while (vm && !vm.alive) vm = this.ready.shift();
      if (!vm && this.sparesBooting) {
        // A spare is on its way: waiting for it is quicker than a boot, and with every slot
        // taken (vm.maxVms) a new boot would wait behind it for good.
        onWait({ state: 'booting', sinceMs: Math.round(performance.now() - this.sparesBooting.bootStartedAt) });
        await new Promise<void>((resolve) => this.takers.push(resolve));
        continue;
      }
      vm ??= await this.boot((position) => onWait({ state: 'queued', position }));
      setTimeout(() => this.fill(), 50).unref();
      if (vm.bootMs === null) onWait({ state: 'booting', sinceMs: Math.round(performance.now() - vm.bootStartedAt) });
      await vm.ready;
      return vm;
    }
  }

  private wakeTakers(): void {
    for (const wake of this.takers.splice(0)) wake();
  }

  private async boot(onQueued: (position: number) => void): Promise<GuestVm> {
    await this.budget.reserve(onQueued);
    // Boots wait for each other, not for a VM slot: a boot is CPU-bound for its whole length.
    while (this.budget.booting >= this.budget.bootConcurrency) await new Promise((resolve) => setTimeout(resolve, 50));
    this.budget.booting++;
    let vm: GuestVm;
    try {
      vm = new GuestVm(this.image, this.options);
    } catch (error) {
      this.budget.booting--;
      this.budget.release();
      throw error;
    }
    this.live.add(vm);
    let booted = false;
    const doneBooting = () => {
      if (booted) return;
      booted = true;
      this.budget.booting--;
    };
    vm.ready.then(doneBooting, doneBooting);
    vm.whenExited(() => {
      const hadBooted = vm.bootMs !== null;
      doneBooting();
      this.live.delete(vm);
      this.budget.release();
      // A session's VM ended and freed its slot: the next session should find a spare again.
      if (hadBooted && !this.closed) setTimeout(() => this.fill(), 50).unref();
    });
    return vm;
  }

  close(): void {
    this.closed = true;
    this.wakeTakers();
    for (const vm of this.live) vm.kill('the playground is shutting down');
    this.live.clear();
    this.ready.length = 0;
  }
}
