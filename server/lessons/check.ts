import type { CheckSpec, Json, MapSnapshot, TraceLine, WorkloadFacts } from '../../protocol/messages.ts';
import { entryKey } from '../../protocol/messages.ts';

/** What the session saw while the workload ran. */
export interface Observation {
  /** bpf_printk lines printed during the check (before any rate limit). */
  trace: TraceLine[];
  /** Ring buffer and perf buffer records, decoded (null when no type was known). */
  events: (Json | null)[];
  /** Every map, read whole just before the workload and just after it. */
  mapsBefore: MapSnapshot[];
  mapsAfter: MapSnapshot[];
}

export interface CheckVerdict {
  pass: boolean;
  /** One sentence: what was found, or what was expected and what was seen instead. */
  message: string;
}

/**
 * Judges a check against what the program really did. Pure: the workload's
 * random facts come in, so tests can replay any case.
 */
export function evaluateCheck(spec: CheckSpec, seen: Observation, facts: WorkloadFacts): CheckVerdict {
  switch (spec.kind) {
    case 'all': {
      for (const part of spec.checks) {
        const verdict = evaluateCheck(part, seen, facts);
        if (!verdict.pass) return verdict;
      }
      return { pass: true, message: 'Every part of the check passed.' };
    }
    case 'trace':
      return checkTrace(spec, seen, facts);
    case 'map_entry':
      return checkMapEntry(spec, seen, facts);
    case 'map_grows':
      return checkMapGrows(spec, seen, facts);
    case 'event':
      return checkEvent(spec, seen, facts);
    case 'histogram':
      return checkHistogram(spec, seen, facts);
  }
}

function checkTrace(spec: Extract<CheckSpec, { kind: 'trace' }>, seen: Observation, facts: WorkloadFacts): CheckVerdict {
  const wanted = fill(spec.contains, facts).toLowerCase();
  const needed = number(spec.atLeast, facts);
  const pids = new Set(
    String(facts.pids ?? facts.pid ?? '')
      .split(',')
      .map(Number),
  );
  const fromWorkload = spec.from === 'workload' ? seen.trace.filter((l) => l.comm === facts.comm || pids.has(l.pid)) : seen.trace;
  const matching = fromWorkload.filter((l) => l.text.toLowerCase().includes(wanted));
  const who = spec.from === 'workload' ? `the workload (process ${facts.comm})` : 'your program';
  if (matching.length >= needed) {
    return { pass: true, message: `${count(matching.length, 'line')} from ${who} contained “${wanted}”, as expected.` };
  }
  const sample = fromWorkload[0] ? ` One of its lines was “${fromWorkload[0].text}”.` : '';
  const others = seen.trace.length - fromWorkload.length;
  return {
    pass: false,
    message:
      `Expected at least ${count(needed, 'line')} from ${who} containing “${wanted}”, but saw ${matching.length}` +
      ` (${count(fromWorkload.length, 'line')} from it in all${spec.from === 'workload' ? `, ${others} from other processes` : ''}).${sample}`,
  };
}

function checkMapEntry(spec: Extract<CheckSpec, { kind: 'map_entry' }>, seen: Observation, facts: WorkloadFacts): CheckVerdict {
  const key = resolve(spec.key, facts);
  const test = 'equals' in spec.value ? { equals: number(spec.value.equals, facts) } : { atLeast: number(spec.value.atLeast, facts) };
  const wanted = 'equals' in test ? `${test.equals}` : `at least ${test.atLeast}`;
  const found: string[] = [];
  for (const map of candidates(seen.mapsAfter, spec.map)) {
    for (const entry of map.entries) {
      if (!matches(entry.key, key)) continue;
      const values = numbers(entry.value);
      if (values.some((v) => ('equals' in test ? v === test.equals : v >= test.atLeast))) {
        return { pass: true, message: `“${map.name}” holds ${JSON.stringify(entry.key)} → ${JSON.stringify(entry.value)}, as expected.` };
      }
      found.push(`“${map.name}” holds ${JSON.stringify(entry.key)} → ${JSON.stringify(entry.value)}`);
    }
  }
  return {
    pass: false,
    message: found.length
      ? `Expected the entry for ${JSON.stringify(key)} to be ${wanted}, but ${found[0]}.`
      : `Expected an entry with key ${JSON.stringify(key)} (${describeFact(spec.key)}) worth ${wanted}, but no map${spec.map ? ` named “${spec.map}”` : ''} has that key.`,
  };
}

function checkMapGrows(spec: Extract<CheckSpec, { kind: 'map_grows' }>, seen: Observation, facts: WorkloadFacts): CheckVerdict {
  const needed = number(spec.atLeast, facts);
  let best: { map: string; key: Json; growth: number } | null = null;
  for (const after of candidates(seen.mapsAfter, spec.map)) {
    const before = new Map((seen.mapsBefore.find((m) => m.name === after.name)?.entries ?? []).map((e) => [entryKey(e.key), e]));
    for (const entry of after.entries) {
      const was = before.get(entryKey(entry.key));
      const growth = Math.max(0, ...numbers(entry.value).map((v, i) => v - (was ? (numbers(was.value)[i] ?? 0) : 0)));
      if (!best || growth > best.growth) best = { map: after.name, key: entry.key, growth };
    }
  }
  if (best && best.growth >= needed) {
    return { pass: true, message: `${JSON.stringify(best.key)} in “${best.map}” grew by ${best.growth} while the workload ran, as expected.` };
  }
  return {
    pass: false,
    message: best
      ? `Expected an entry to grow by at least ${needed} while the workload ran, but the most any grew was ${best.growth} (${JSON.stringify(best.key)} in “${best.map}”).`
      : `Expected an entry to grow by at least ${needed} while the workload ran, but the map${spec.map ? ` “${spec.map}”` : 's'} had no entries: did user space insert the key before attach?`,
  };
}

function checkEvent(spec: Extract<CheckSpec, { kind: 'event' }>, seen: Observation, facts: WorkloadFacts): CheckVerdict {
  const wanted = spec.includes.map((v) => resolve(v, facts));
  const decoded = seen.events.filter((e) => e !== null);
  const hit = decoded.find((record) => wanted.every((w) => contains(record, w)));
  if (hit) return { pass: true, message: `A record carried ${wanted.map((w) => JSON.stringify(w)).join(' and ')}, as expected.` };
  const undecoded = seen.events.length - decoded.length;
  return {
    pass: false,
    message:
      `Expected an event record with ${wanted.map((w) => JSON.stringify(w)).join(' and ')} in its fields, but none of the ${count(seen.events.length, 'record')} had them` +
      (undecoded ? ` (${undecoded} could not be decoded: is the struct named in the program's BTF?)` : '') +
      (decoded[0] ? `. One was ${JSON.stringify(decoded[0])}.` : '.'),
  };
}

function checkHistogram(spec: Extract<CheckSpec, { kind: 'histogram' }>, seen: Observation, facts: WorkloadFacts): CheckVerdict {
  const bucket = number(spec.bucket, facts);
  const needed = number(spec.atLeast, facts);
  let bestSlots: number[] = [];
  for (const map of candidates(seen.mapsAfter, spec.map)) {
    const slots = histogramOf(map);
    const inSlot = slots[bucket] ?? 0;
    // A sleep lasts at least its length; on a loaded machine some wake late, into the next
    // slot up. They count, as long as the slot itself has some: a log2 off by one fills only the next.
    const late = inSlot > 0 ? Math.min(slots[bucket + 1] ?? 0, Math.max(0, needed - inSlot)) : 0;
    if (inSlot + late >= needed) {
      const lateNote = late ? `, and ${count(late, 'sleep')} woke late into slot ${bucket + 1}` : '';
      return {
        pass: true,
        message: `Slot ${bucket} of “${map.name}” (${2 ** bucket}–${2 ** (bucket + 1) - 1}) counted ${inSlot}${lateNote}, as expected.`,
      };
    }
    if (sum(slots) > sum(bestSlots)) bestSlots = slots;
  }
  const filled = bestSlots
    .map((n, i) => (n ? `${i}: ${n}` : ''))
    .filter(Boolean)
    .join(', ');
  return {
    pass: false,
    message:
      `Expected at least ${needed} in slot ${bucket} (${2 ** bucket}–${2 ** (bucket + 1) - 1} µs), but it held ${bestSlots[bucket] ?? 0}` +
      (filled ? ` (counts by slot: ${filled}).` : ': no histogram map had any counts.'),
  };
}

/** A map read as log2 slots: key = slot index, or one value with an array of slot counts. */
function histogramOf(map: MapSnapshot): number[] {
  const slots: number[] = [];
  for (const entry of map.entries) {
    const index = typeof entry.key === 'number' ? entry.key : null;
    const value = entry.value;
    const array = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.values(value).find(Array.isArray) : undefined;
    if (array) for (const [i, n] of array.entries()) slots[i] = (slots[i] ?? 0) + (numeric(n) ?? 0);
    else if (index !== null) slots[index] = (slots[index] ?? 0) + (numbers(value)[0] ?? 0);
  }
  return Array.from(slots, (n) => n ?? 0);
}

function candidates(maps: MapSnapshot[], name?: string): MapSnapshot[] {
  return name ? maps.filter((m) => m.name === name) : maps;
}

/** A key equals the wanted value, or (a struct key) has a field that does. */
function matches(key: Json, wanted: string | number): boolean {
  if (equal(key, wanted)) return true;
  return !!key && typeof key === 'object' && !Array.isArray(key) && Object.values(key).some((v) => equal(v, wanted));
}

function equal(value: Json, wanted: string | number): boolean {
  if (typeof wanted === 'number') return numeric(value) === wanted;
  return value === wanted;
}

/** Anywhere in a decoded record: a number equal to it, or a string containing it. */
function contains(value: Json, wanted: string | number): boolean {
  if (Array.isArray(value)) return value.some((v) => contains(v, wanted));
  if (value && typeof value === 'object') return Object.values(value).some((v) => contains(v, wanted));
  if (typeof wanted === 'number') return numeric(value) === wanted;
  return typeof value === 'string' && value.includes(wanted);
}

/** The numbers a value holds: itself, or its fields' (one level deep), in order. */
function numbers(value: Json): number[] {
  const own = numeric(value);
  if (own !== null) return [own];
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.values(value).flatMap((v) => numeric(v) ?? []);
  return [];
}

/** u64 values beyond 2^53 arrive as decimal strings. */
function numeric(value: Json): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return null;
}

/** "${pid}" → the fact itself (a number stays a number); other strings get facts filled in. */
function resolve(value: number | string, facts: WorkloadFacts): number | string {
  if (typeof value === 'number') return value;
  const whole = /^\$\{(\w+)\}$/.exec(value);
  if (whole) return facts[whole[1]!] ?? value;
  return fill(value, facts);
}

function fill(text: string, facts: WorkloadFacts): string {
  return text.replace(/\$\{(\w+)\}/g, (all, name: string) => String(facts[name] ?? all));
}

function number(value: number | string, facts: WorkloadFacts): number {
  const resolved = resolve(value, facts);
  return typeof resolved === 'number' ? resolved : Number(resolved);
}

function describeFact(value: number | string): string {
  const names: Record<string, string> = { pid: 'the workload’s pid', count: 'the workload’s count', nonce: 'the workload’s random file name' };
  const whole = typeof value === 'string' ? /^\$\{(\w+)\}$/.exec(value) : null;
  return whole ? (names[whole[1]!] ?? whole[1]!) : 'as given';
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
