'use client';

import type { KernelInfo } from '../../../protocol/messages.ts';
import styles from './kernels.module.css';
import ui from '../../common/ui.module.css';

/** Which kernel the next Run loads into: the host's, or a fresh VM of one of Debian's kernels. */
export function KernelPicker({
  kernels,
  value,
  onChange,
  disabled,
}: {
  kernels: KernelInfo[];
  value: string | undefined;
  onChange(name: string): void;
  disabled: boolean;
}) {
  if (kernels.length < 2) return null;
  return (
    <label
      className={styles.kernelPicker}
      title="The kernel your program runs in. A VM kernel is yours alone: a fresh microVM for your session, where kprobes, fentry and lsm work."
    >
      <span className={ui.visuallyHidden}>Kernel</span>
      <select data-testid="kernel-picker" value={value} onChange={(event) => onChange(event.target.value)} disabled={disabled}>
        {kernels.map((kernel) => (
          <option key={kernel.name} value={kernel.name}>
            {kernel.label}
          </option>
        ))}
      </select>
    </label>
  );
}
