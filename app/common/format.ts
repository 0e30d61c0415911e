import type { Json, TypeDesc } from '../../protocol/messages.ts';

// One locale for every number, so "1,204" reads the same on every machine (and in tests).
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

/** 1234567 → "1,234,567"; "18446744073709551615" (a u64 sent as a string) → "18,446,744,073,709,551,615". */
export function formatNumber(value: number | bigint | string): string {
  if (typeof value === 'string') {
    if (/^-?\d+$/.test(value)) return integer.format(BigInt(value));
    return value;
  }
  if (typeof value === 'bigint' || Number.isInteger(value)) return integer.format(value);
  return decimal.format(value);
}

/** Does this JSON value show as a number (right-aligned)? */
export function isNumeric(value: Json, desc?: TypeDesc | null): boolean {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && /^-?\d+$/.test(value) && isIntegerDesc(desc);
}

function isIntegerDesc(desc?: TypeDesc | null): boolean {
  if (!desc) return false;
  return desc.kind === 'int';
}

// A pid, tid, uid or CPU number is a name for something, not a quantity: "1785", never "1,785".
const ID_NAME = /^(?:id|pid|tid|tgid|ppid|uid|gid|euid|egid|cpu|cgroup|inode|ino|dev|port|sport|dport|ifindex)$|_(?:id|pid|tid|tgid|uid|gid|cpu)$/i;
const ID_TYPE = /^(?:pid_t|uid_t|gid_t|kuid_t|kgid_t|dev_t|ino_t)$/;

/** Is a value of this field name or type an identifier (shown without separators)? */
export function isIdentifier(name?: string | null, desc?: TypeDesc | null): boolean {
  return (!!name && ID_NAME.test(name)) || (!!desc?.name && ID_TYPE.test(desc.name));
}

/**
 * A decoded map key or value as one line: numbers with separators, strings
 * quoted (`"execve_counter"`), pointers ("0x…") and big integers bare,
 * structs as `{ pid: 1785, bytes: 1,234, comm: "ls" }`: identifiers (by
 * field name or type) without separators.
 */
export function formatJson(value: Json, desc?: TypeDesc | null, name?: string): string {
  if (value === null) return 'null';
  if ((typeof value === 'number' || typeof value === 'string') && /^-?\d+$/.test(String(value)) && isIdentifier(name, desc)) return String(value);
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    if (/^0x[0-9a-f]+$/i.test(value)) return value;
    // Enumerator names and NaN/Infinity are identifiers, not text.
    if (desc && (desc.kind === 'enum' || desc.kind === 'float')) return value;
    // A bpf_spin_lock: the kernel's, never its state (user space always reads it zeroed).
    if (desc?.kind === 'opaque' && desc.name === 'struct bpf_spin_lock') return '🔒';
    if (/^-?\d+$/.test(value) && (isIntegerDesc(desc) || !desc)) return formatNumber(value);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const elem = desc?.elem;
    const shown = value.slice(0, 32).map((v) => formatJson(v, elem));
    if (value.length > 32) shown.push(`… ${value.length - 32} more`);
    return `[${shown.join(', ')}]`;
  }
  const fields = desc?.fields;
  const parts = Object.entries(value).map(([name, v]) => {
    const field = fields?.find((f) => f.name === name);
    return `${name}: ${formatJson(v, field?.type, name)}`;
  });
  return `{ ${parts.join(', ')} }`;
}

/** "+1.204 s" from the run's first line. */
export function formatRelative(seconds: number): string {
  return `+${seconds.toFixed(3)} s`;
}

/** "14:03:22.120", a time of day from a wall-clock epoch in seconds. */
export function formatClock(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** 42 → "0:42", 3725 → "1:02:05". */
export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** "Ctrl+Enter" ("Ctrl+↵" when compact), or "⌘↵" on a Mac: how a shortcut is written for this user. */
export function shortcut(key: string, compact = false): string {
  const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
  const shown = key === 'Enter' && (mac || compact) ? '↵' : key;
  return mac ? `⌘${shown}` : `Ctrl+${shown}`;
}
