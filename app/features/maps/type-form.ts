import type { Json, TypeDesc } from '../../../protocol/messages.ts';
import { formatNumber, plural } from '../../common/format.ts';
import { isTextArray, parseJsonInput } from '../../common/json-input.ts';

/**
 * Entry forms generated from a map's BTF types (the server's `keyDesc` /
 * `valueDesc`): what input each type gets, the form's state, and its
 * checking into the JSON the server encodes. Pure: no React here.
 */

/** How a type is entered. `json` is the fallback for what the form cannot draw (unions, long arrays). */
export type FieldKind = 'int' | 'float' | 'bool' | 'enum' | 'pointer' | 'text' | 'array' | 'struct' | 'json';

/** The form's state: text as typed for scalars, checkboxes as booleans, arrays and structs nested. */
export type FormValue = string | boolean | FormValue[] | { [field: string]: FormValue };

/** Arrays longer than this are typed as JSON: 64 inputs in a row is already a lot. */
const MAX_ARRAY_INPUTS = 64;
/** Past this many inputs the whole form is JSON. */
const MAX_INPUTS = 256;

export function fieldKind(desc: TypeDesc): FieldKind {
  switch (desc.kind) {
    case 'int':
      return 'int';
    case 'float':
      return 'float';
    case 'bool':
      return 'bool';
    case 'enum':
      return desc.enumerators?.length ? 'enum' : 'int';
    case 'pointer':
      return 'pointer';
    case 'array': {
      if (isTextArray(desc)) return 'text';
      if (!desc.elem || (desc.length ?? 0) > MAX_ARRAY_INPUTS) return 'json';
      return fieldKind(desc.elem) === 'json' ? 'json' : 'array';
    }
    case 'struct':
    case 'datasec':
      return 'struct';
    default:
      // A union's members overlap: which one to write is the user's call, in JSON.
      return 'json';
  }
}

/** Inputs the form would draw for this type. */
export function inputCount(desc: TypeDesc): number {
  switch (fieldKind(desc)) {
    case 'array':
      return (desc.length ?? 0) * inputCount(desc.elem!);
    case 'struct':
      return (desc.fields ?? []).reduce((sum, f) => sum + inputCount(f.type), 0);
    default:
      return 1;
  }
}

/** The form can draw this type (else the card offers JSON only). */
export function formSupported(desc: TypeDesc | null): desc is TypeDesc {
  if (!desc || desc.kind === 'opaque') return false;
  return fieldKind(desc) !== 'json' && inputCount(desc) <= MAX_INPUTS;
}

/** The form's state for a type: from a value (an entry being edited) or empty ("0", unchecked, first enumerator). */
export function initialForm(desc: TypeDesc, value?: Json): FormValue {
  switch (fieldKind(desc)) {
    case 'int':
    case 'float':
      return typeof value === 'number' || typeof value === 'string' ? String(value) : '0';
    case 'bool':
      return value === true || value === 1 || value === 'true';
    case 'enum': {
      const names = desc.enumerators!.map((e) => e.name);
      if (typeof value === 'string' && names.includes(value)) return value;
      const byNumber = desc.enumerators!.find((e) => String(e.value) === String(value));
      return byNumber?.name ?? (value !== undefined && value !== null ? String(value) : names[0]!);
    }
    case 'pointer':
      return typeof value === 'string' ? value : '0x0';
    case 'text':
      return typeof value === 'string' ? textToInput(value) : '';
    case 'array': {
      const items = Array.isArray(value) ? value : [];
      return Array.from({ length: desc.length ?? 0 }, (_, i) => initialForm(desc.elem!, items[i]));
    }
    case 'struct': {
      const object = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
      const out: Record<string, FormValue> = {};
      for (const f of desc.fields ?? []) out[f.name] = initialForm(f.type, object[f.name]);
      return out;
    }
    case 'json':
      return value === undefined ? '' : JSON.stringify(value);
  }
}

export type Checked = { ok: true; value: Json } | { ok: false; error: string; path: string };

/**
 * The form's state as the JSON the server encodes, or the first problem as one
 * sentence naming where it is ("Value slots[3]: 5000000000 does not fit in __u32,
 * which holds 0 to 4,294,967,295."). `root` is "Key" or "Value".
 */
export function checkForm(desc: TypeDesc, form: FormValue, root: string, path = ''): Checked {
  const where = path ? `${root} ${path}` : root;
  const fail = (error: string): Checked => ({ ok: false, error: `${where}: ${error}`, path });
  switch (fieldKind(desc)) {
    case 'int': {
      const text = String(form).trim();
      if (!text) return fail(`type a whole number (${rangeText(desc)}).`);
      let n: bigint;
      try {
        if (!/^[+-]?(\d+|0x[0-9a-f]+)$/i.test(text)) throw new Error();
        n = text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text.replace(/^\+/, ''));
      } catch {
        return fail(`"${text}" is not a whole number; ${desc.name} takes ${rangeText(desc)}.`);
      }
      const [min, max] = intRange(desc);
      if (n < min || n > max) return fail(`${formatNumber(n)} does not fit in ${desc.name}, which holds ${rangeText(desc)}.`);
      return { ok: true, value: jsonInteger(n) };
    }
    case 'float': {
      const text = String(form).trim();
      const n = Number(text);
      if (!text || Number.isNaN(n)) return fail(`"${text}" is not a number.`);
      return { ok: true, value: n };
    }
    case 'bool':
      return { ok: true, value: form === true };
    case 'enum': {
      const text = String(form);
      if (desc.enumerators!.some((e) => e.name === text)) return { ok: true, value: text };
      return fail(`${desc.name} has no value ${text}.`);
    }
    case 'pointer': {
      const text = String(form).trim();
      if (!/^0x[0-9a-f]{1,16}$/i.test(text)) return fail(`"${text}" is not an address; write one like 0x7ffd12345678.`);
      return { ok: true, value: text };
    }
    case 'text': {
      const text = textFromInput(String(form));
      const bytes = new TextEncoder().encode(text).length;
      const room = Math.max(0, (desc.length ?? 0) - 1);
      if (bytes > room) return fail(`the text is ${plural(bytes, 'byte')} but ${desc.name} holds ${plural(room, 'byte')} and the closing NUL.`);
      return { ok: true, value: text };
    }
    case 'array': {
      const items = Array.isArray(form) ? form : [];
      const out: Json[] = [];
      for (let i = 0; i < items.length; i++) {
        const item = checkForm(desc.elem!, items[i]!, root, `${path}[${i}]`);
        if (!item.ok) return item;
        out.push(item.value);
      }
      return { ok: true, value: out };
    }
    case 'struct': {
      const object = form && typeof form === 'object' && !Array.isArray(form) ? form : {};
      const out: Record<string, Json> = {};
      for (const f of desc.fields ?? []) {
        if (f.type.kind === 'opaque' && !f.type.size) continue;
        const value = object[f.name];
        // An empty JSON field (a union left alone) is left out: the server writes zeros there.
        if (value === undefined || (fieldKind(f.type) === 'json' && String(value).trim() === '')) continue;
        const field = checkForm(f.type, value, root, path ? `${path}.${f.name}` : f.name);
        if (!field.ok) return field;
        out[f.name] = field.value;
      }
      return { ok: true, value: out };
    }
    case 'json': {
      const parsed = parseJsonInput(String(form));
      return parsed.ok ? { ok: true, value: parsed.value } : fail(parsed.error);
    }
  }
}

/**
 * A char array's text as its one-line input shows it: the newline, tab and
 * carriage return a bpf_printk format ends with (which an input would drop)
 * written as \n, \t and \r, and so a backslash as \\.
 */
export function textToInput(text: string): string {
  return text.replace(/[\\\n\t\r]/g, (c) => TEXT_ESCAPES[c]!);
}

/** What a text input holds as the text it stands for: \n, \t, \r and \\ read back; any other backslash is itself. */
export function textFromInput(typed: string): string {
  return typed.replace(/\\([\\ntr])/g, (_, c: string) => TEXT_UNESCAPES[c]!);
}

const TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' };
const TEXT_UNESCAPES: Record<string, string> = { '\\': '\\', n: '\n', t: '\t', r: '\r' };

/** The integers a type holds: its bits (a bitfield's own width) and sign. A char takes -128..255, as the server does. */
export function intRange(desc: TypeDesc): [bigint, bigint] {
  if (desc.kind === 'enum') {
    const bits = BigInt((desc.size ?? 4) * 8);
    return [-(1n << (bits - 1n)), (1n << bits) - 1n];
  }
  const bits = BigInt(desc.bits ?? (desc.size ?? 8) * 8);
  const charLike = desc.size === 1 && (desc.bits ?? 8) === 8 && /char/.test(desc.name);
  if (charLike) return [-128n, 255n];
  return desc.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

function rangeText(desc: TypeDesc): string {
  const [min, max] = intRange(desc);
  return `${formatNumber(min)} to ${formatNumber(max)}`;
}

/** A bigint as the protocol carries integers: a number while exact, a string beyond 2^53. */
function jsonInteger(n: bigint): Json {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** A form state at a path (`['slots', 3]`) replaced, immutably. */
export function setAt(form: FormValue, path: (string | number)[], value: FormValue): FormValue {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(form)) {
    const copy = form.slice();
    copy[head as number] = setAt(copy[head as number]!, rest, value);
    return copy;
  }
  const object = form && typeof form === 'object' ? form : {};
  return { ...object, [head as string]: setAt(object[head as string] ?? '', rest, value) };
}
