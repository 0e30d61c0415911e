import { z } from 'zod';
import type { HostInfo, KernelInfo } from '../../../protocol/messages.ts';
import { usePreference } from '../../common/use-preference.ts';

export interface KernelChoice {
  kernels: KernelInfo[];
  /** The kernel the next Run loads into, or null before the server has said which it offers. */
  kernel: KernelInfo | null;
  choose(name: string): void;
}

/** The kernel the next Run loads into: remembered, and the server's default when it offers no such kernel. */
export function useKernelChoice(host: HostInfo | null): KernelChoice {
  const [chosen, choose] = usePreference<string>('kernel', z.string(), '');
  const kernels = host?.kernels ?? [];
  const kernel = kernels.find((k) => k.name === chosen) ?? kernels.find((k) => k.default) ?? kernels[0] ?? null;
  return { kernels, kernel, choose };
}
