// The backend's host and the kernels it offers, with what each was probed to run.
import { z } from 'zod';

/** What the host did when the backend tried one kind of program at start. */
export const capabilitySchema = z.object({
  /** The SEC() prefix, e.g. `kprobe`, `tp_btf`, `fentry`. */
  section: z.string(),
  /** libbpf's program type name. */
  type: z.string(),
  loads: z.boolean(),
  /** null when the type cannot be attached by libbpf alone (xdp, socket…) or did not load. */
  attaches: z.boolean().nullable(),
  /** Why not, in one sentence, when it does not work. */
  note: z.string().optional(),
});
export type Capability = z.infer<typeof capabilitySchema>;

/** A kernel the server offers: its own (`host`), or one that every session gets a fresh microVM of (`vm`). */
export const kernelInfoSchema = z.object({
  /** What the page, the CLI (`--kernel`) and the config call it: `host`, `6.12`, `6.1`. */
  name: z.string(),
  /** For the picker: `6.12 (VM)`, `host 6.18`. */
  label: z.string(),
  kind: z.enum(['host', 'vm']),
  /** The kernel's exact release (`uname -r`). */
  release: z.string(),
  /** Probed once per kernel and toolchain, not assumed. */
  capabilities: z.array(capabilitySchema),
  /** The kernel a Run gets when it names none. */
  default: z.boolean(),
});
export type KernelInfo = z.infer<typeof kernelInfoSchema>;

export const hostInfoSchema = z.object({
  kernel: z.string(),
  arch: z.string(),
  btf: z.boolean(),
  /** Sentences saying what stops this host from loading BPF, empty when it can. */
  problems: z.array(z.string()),
  /** Probed at start, not assumed: empty until the probe has run. */
  capabilities: z.array(capabilitySchema).optional(),
  /** The kernels a Run may choose, the default first. */
  kernels: z.array(kernelInfoSchema).default([]),
});
export type HostInfo = z.infer<typeof hostInfoSchema>;
