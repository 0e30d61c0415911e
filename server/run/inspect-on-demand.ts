// What the Inspect tabs show, made on the page's first ask: most Runs are never inspected,
// and in a workshop every tool run is a process the backend must start while fifty compiles
// want the cores. One maker for the built object (skeleton, sections, disassembly, BTF: set
// once compiled), one for the loaded programs (the translated code: set once running).
export class InspectOnDemand {
  private readonly makers: { built: (() => void) | null; loaded: (() => void) | null } = { built: null, loaded: null };
  private wanted = false;

  /** The page opened Inspect: make what can be made now, and the rest when it can. */
  request(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.makers.built?.();
    this.makers.loaded?.();
  }

  set(which: 'built' | 'loaded', make: () => void): void {
    this.makers[which] = make;
    if (this.wanted) make();
  }
}
