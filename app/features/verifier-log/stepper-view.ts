import type { SlotState, VerifierStep } from '../../../protocol/verifier-steps.ts';

/** `insn 7: r1 = *(u64 *)(r0 +0)` */
export function stepLabel(step: VerifierStep): string {
  return `insn ${step.insn}: ${step.asm}`;
}

/** A slot's bounds and ids, short: `21` for a known number, `fp-4`, `umin=21 umax=28 var_off=(0x10; 0xf)`; its full text is the title. */
export function boundsText(slot: SlotState): string {
  if (slot.type === 'scalar' && slot.fields.value !== undefined) return slot.fields.value;
  if (slot.type === 'fp') return `fp${slot.fields.off === '0' ? '' : slot.fields.off}`;
  const entries = Object.entries(slot.fields);
  if (!entries.length) return '';
  // Signed and 32-bit bounds repeat the unsigned 64-bit ones for most values: show those once.
  const shown = entries.filter(
    ([key, value]) => !(/^(smin|smax|umin32|umax32|smin32|smax32)$/.test(key) && value === slot.fields[key.replace(/^s/, 'u').replace(/32$/, '')]),
  );
  return shown.map(([key, value]) => `${key}=${value}`).join(' ');
}
