/**
 * Whether /dev/kvm really runs a stock guest here. A paravirtual KVM
 * (kvm_pvm, as on this project's build machines) exposes /dev/kvm but runs
 * only specially built guests, so QEMU must emulate (TCG) instead.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { readFileSafe } from '../../proc-util.ts';

export function kvmUsable(): boolean {
  if (!existsSync('/dev/kvm') || existsSync('/sys/module/kvm_pvm')) return false;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  const cpuinfo = readFileSafe('/proc/cpuinfo');
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo);
}

export function resolveAccel(wanted: 'auto' | 'kvm' | 'tcg'): 'kvm' | 'tcg' {
  if (wanted === 'auto') return kvmUsable() ? 'kvm' : 'tcg';
  return wanted;
}
