import { jsonSchema, type Json, type MapSeed, type TypeDesc } from '../../protocol/messages.ts';

export type ParsedInput = { ok: true; value: Json } | { ok: false; error: string };

/**
 * What a user typed as a map key or value. JSON first (`42`, `"ls"`,
 * `{"pid": 1}`); a bare word such as execve_counter is taken as the string
 * it obviously is. The server checks the value against the BTF type.
 *
 * This parses the user's typing (and localStorage), never protocol frames:
 * those go through the protocol module's decode only.
 */
export function parseJsonInput(text: string): ParsedInput {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, error: 'Type a value first.' };
  const parsed = parseJson(trimmed);
  if (parsed.ok) return parsed;
  if (/^[A-Za-z_][\w.:/-]*$/.test(trimmed)) return { ok: true, value: trimmed };
  return { ok: false, error: `${parsed.error} Quote text like "this", or write JSON.` };
}

/** JSON.parse as data: a result, never a throw. */
export function parseJson(text: string): ParsedInput {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `That is not JSON (${(error as Error).message.replace(/\.$/, '')}).` };
  }
  const checked = jsonSchema.safeParse(data);
  return checked.success ? { ok: true, value: checked.data } : { ok: false, error: 'That is not a JSON value.' };
}

/** The text an input starts with for a value: strings quoted only when JSON needs them. */
export function toInputText(value: Json): string {
  return JSON.stringify(value);
}

/** A char array, shown and typed as a string. */
export function isTextArray(desc: TypeDesc): boolean {
  return desc.kind === 'array' && (desc.text ?? (desc.elem?.size === 1 && /char/.test(desc.elem.name)));
}

/** An example input for a BTF type, for the placeholder of an entry form. */
export function placeholderFor(desc: TypeDesc | null, depth = 0): string {
  if (!desc) return '0';
  switch (desc.kind) {
    case 'int':
    case 'float':
      return '0';
    case 'bool':
      return 'false';
    case 'enum':
      return desc.enumerators?.[0] ? JSON.stringify(desc.enumerators[0]!.name) : '0';
    case 'pointer':
      return '"0x0"';
    case 'array': {
      const n = desc.length ?? 0;
      if (isTextArray(desc)) return `"text, up to ${Math.max(0, n - 1)} chars"`;
      const elem = depth > 1 ? '…' : placeholderFor(desc.elem ?? null, depth + 1);
      return n <= 4 ? `[${Array(n).fill(elem).join(', ')}]` : `[${elem}, ${elem}, … ${n} items]`;
    }
    case 'struct':
    case 'union':
    case 'datasec': {
      if (depth > 1) return '{…}';
      const fields = (desc.fields ?? []).slice(0, 4).map((f) => `"${f.name}": ${placeholderFor(f.type, depth + 1)}`);
      if ((desc.fields?.length ?? 0) > 4) fields.push('…');
      return `{${fields.join(', ')}}`;
    }
    default:
      return 'JSON';
  }
}

/** "u64 (8 B)", "char[64] (64 B)": the type an input expects. */
export function describeDesc(typeName: string | null, desc: TypeDesc | null, size: number): string {
  const name = typeName ?? desc?.name ?? 'untyped';
  return `${name} (${size} B)`;
}

/** The seed rows as the protocol's seeds, or the first problem in one sentence. */
export function parseSeeds(rows: { map: string; key: string; value: string }[]): { ok: true; seeds: MapSeed[] } | { ok: false; error: string } {
  const seeds: MapSeed[] = [];
  for (const [i, row] of rows.entries()) {
    const where = `Seed ${i + 1}${row.map.trim() ? ` (${row.map.trim()})` : ''}`;
    if (!row.map.trim()) return { ok: false, error: `${where} names no map.` };
    const key = parseJsonInput(row.key);
    if (!key.ok) return { ok: false, error: `${where}: key: ${key.error}` };
    const value = parseJsonInput(row.value);
    if (!value.ok) return { ok: false, error: `${where}: value: ${value.error}` };
    seeds.push({ map: row.map.trim(), key: key.value, value: value.value });
  }
  return { ok: true, seeds };
}
