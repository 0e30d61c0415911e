// Small helpers for the sentences the server says to users.

/** The clause as a sentence: codecs leave the full stop to whoever shows them. */
export function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "10 minutes", "2 hours", "45 seconds": for messages about limits. */
export function describeDuration(ms: number): string {
  const [amount, unit] = ms >= 2 * 3_600_000 ? [ms / 3_600_000, 'hour'] : ms >= 120_000 ? [ms / 60_000, 'minute'] : [ms / 1000, 'second'];
  const rounded = Math.round(amount);
  return `${rounded} ${unit}${rounded === 1 ? '' : 's'}`;
}
