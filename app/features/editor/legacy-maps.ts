/**
 * Legacy map definitions, `struct bpf_map_def SEC("maps") name = { .type = …, … };`
 * from old tutorials, rewritten as BTF-defined maps in SEC(".maps"), which
 * libbpf 1.0 requires. Pure text work: it finds each definition and returns
 * the edits, or one sentence saying why a definition is left as it is. Code
 * using the map (`bpf_map_lookup_elem(&name, …)`) needs no change: the map
 * keeps its name.
 */

/** A replacement of source[start, end) by text; offsets are UTF-16 indices into the source. */
export interface SourceEdit {
  start: number;
  end: number;
  text: string;
}

interface LegacyMapPlace {
  name: string;
  /** Where the definition starts and ends (just after its `;`), as offsets and 1-based lines. */
  start: number;
  end: number;
  line: number;
  endLine: number;
}

/** A legacy definition found: its BTF form, or why it is not converted. */
export type LegacyMap = LegacyMapPlace & ({ ok: true; replacement: string } | { ok: false; reason: string });

/** What converting some of a file's legacy maps changes. */
export interface LegacyMapConversion {
  /** Non-overlapping, in source order: applied together as one edit. */
  edits: SourceEdit[];
  converted: string[];
  /** What the edits do besides the definitions, one sentence each. */
  notes: string[];
}

/** How the old section is spelled: the libbpf macro, or the attribute it stood for. */
const OLD_SECTION = String.raw`(?:SEC\s*\(\s*"maps"\s*\)|__attribute__\s*\(\(\s*section\s*\(\s*"maps"\s*\)\s*(?:,\s*used\s*)?\)\))`;
const IDENT = String.raw`[A-Za-z_]\w*`;
const STRUCT = String.raw`\bstruct\s+bpf_map_def`;

/** The three orders seen in the wild; each captures the map's name and ends at the initializer's `{`. */
const DEFINITION_STARTS = [
  new RegExp(String.raw`${STRUCT}\s+${OLD_SECTION}\s*(${IDENT})\s*=\s*\{`, 'g'),
  new RegExp(String.raw`${OLD_SECTION}\s*${STRUCT}\s+(${IDENT})\s*=\s*\{`, 'g'),
  new RegExp(String.raw`${STRUCT}\s+(${IDENT})\s+${OLD_SECTION}\s*=\s*\{`, 'g'),
];

const HELPERS_INCLUDE = '#include <bpf/bpf_helpers.h>';

/** struct bpf_map_def's fields that a BTF map has, and how each is written there. */
const FIELDS = new Map<string, (value: string) => string>(
  Object.entries({
    type: (v: string) => `__uint(type, ${v})`,
    key_size: (v: string) => sizedAs('key', v),
    value_size: (v: string) => sizedAs('value', v),
    max_entries: (v: string) => `__uint(max_entries, ${v})`,
    map_flags: (v: string) => `__uint(map_flags, ${v})`,
    numa_node: (v: string) => `__uint(numa_node, ${v})`,
  }),
);

/** Fields of the old struct (libbpf's or the kernel samples') that have no faithful BTF spelling here, and why. */
const REFUSED_FIELDS = new Map<string, string>(
  Object.entries({
    pinning:
      'it sets .pinning, whose values differ from a BTF map’s __uint(pinning, LIBBPF_PIN_BY_NAME), and maps are not pinned in this playground; remove the line and convert again',
    inner_map_idx:
      'it sets .inner_map_idx: a map of maps is declared in BTF with __array(values, …) naming its inner map’s type, which has to be written by hand',
  }),
);

/** `sizeof(T)` becomes the type itself, so the map gets BTF for it; any other size stays a number. */
function sizedAs(kind: 'key' | 'value', value: string): string {
  const type = sizeofOperand(value);
  return type === null ? `__uint(${kind}_size, ${value})` : `__type(${kind}, ${type})`;
}

/** T for exactly `sizeof(T)`; null for anything else (`sizeof(T) * 2`, `4`). `__type` takes typeof(T), so T may be a type or an expression. */
function sizeofOperand(value: string): string | null {
  const open = /^sizeof\s*\(/.exec(value);
  if (!open) return null;
  const close = matchingClose(value, open[0].length - 1);
  if (close !== value.length - 1) return null;
  const operand = value.slice(open[0].length, close).trim();
  return operand || null;
}

/** The index of the bracket closing the one at `open`, or -1. */
function matchingClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

interface Comment {
  start: number;
  end: number;
  text: string;
  /** A `//` comment ends its line, so nothing may follow it there. */
  line: boolean;
}

/**
 * The source with every comment blanked out (newlines kept, so offsets and
 * lines stay the same), and the comments. Strings and character literals
 * are skipped whole, so a "//" inside one is not a comment.
 */
export function maskComments(source: string): { masked: string; comments: Comment[] } {
  const comments: Comment[] = [];
  let masked = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && (next === '*' || next === '/')) {
      const isLine = next === '/';
      let end = isLine ? source.indexOf('\n', i) : source.indexOf('*/', i + 2);
      end = end === -1 ? source.length : isLine ? end : end + 2;
      const text = source.slice(i, end);
      comments.push({ start: i, end, text, line: isLine });
      masked += text.replace(/[^\n]/g, ' ');
      i = end;
    } else if (c === '"' || c === "'") {
      let end = i + 1;
      while (end < source.length && source[end] !== c && source[end] !== '\n') end += source[end] === '\\' ? 2 : 1;
      end = Math.min(end + 1, source.length);
      masked += source.slice(i, end);
      i = end;
    } else {
      masked += c;
      i++;
    }
  }
  return { masked, comments };
}

/** Every legacy definition in a file, in source order. */
export function findLegacyMaps(source: string): LegacyMap[] {
  // Called on every keystroke: most files have none.
  if (!source.includes('bpf_map_def')) return [];
  const { masked, comments } = maskComments(source);
  const starts: { start: number; brace: number; name: string }[] = [];
  for (const pattern of DEFINITION_STARTS) {
    for (const match of masked.matchAll(pattern)) {
      starts.push({ start: match.index, brace: match.index + match[0].length - 1, name: match[1]! });
    }
  }
  starts.sort((a, b) => a.start - b.start);
  const found: LegacyMap[] = [];
  for (const start of starts) {
    if (found.some((f) => start.start < f.end)) continue;
    found.push(parseDefinition(source, masked, comments, start));
  }
  return found;
}

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source[i] === '\n') line++;
  return line;
}

function parseDefinition(source: string, masked: string, comments: Comment[], at: { start: number; brace: number; name: string }): LegacyMap {
  const { name } = at;
  const close = matchingClose(masked, at.brace);
  const semicolon = close === -1 ? null : /^\s*;/.exec(masked.slice(close + 1));
  const end = semicolon ? close + 1 + semicolon[0].length : close === -1 ? masked.indexOf('\n', at.brace) : close + 1;
  const place = { name, start: at.start, end: end === -1 ? source.length : end, line: lineAt(source, at.start), endLine: lineAt(source, end) };
  const refuse = (why: string): LegacyMap => ({ ...place, ok: false, reason: `The map ${name} is left as it is: ${why}.` });
  if (!semicolon) return refuse('its definition does not end with “};” where expected, so where it ends is not certain');
  const body = masked.slice(at.brace + 1, close);
  if (/(^|\n)[ \t]*#/.test(body)) return refuse('a preprocessor line (#if, #define…) inside its braces cannot be moved safely');

  const segments = splitTopLevel(masked, at.brace + 1, close);
  const inside = comments.filter((c) => c.start > at.brace && c.end <= close);
  const commentsIn = (from: number, to: number) => inside.filter((c) => c.start >= from && c.start < to);

  interface Line {
    leading: Comment[];
    code: string | null;
    trailing: Comment[];
    after: Comment[];
  }
  const lines: Line[] = [{ leading: [], code: null, trailing: [], after: [] }];
  const seen = new Set<string>();
  let indent: string | null = null;
  for (const segment of segments) {
    const text = masked.slice(segment.start, segment.end);
    const codeOffset = text.search(/\S/);
    const codeStart = codeOffset === -1 ? segment.end : segment.start + codeOffset;
    // Comments on the line of the previous comma belong to the previous field.
    const newline = text.indexOf('\n');
    const lineEnd = newline === -1 ? segment.start : segment.start + newline;
    const previous = lines.at(-1)!;
    previous.trailing.push(...commentsIn(segment.start, Math.min(lineEnd, codeStart)));
    const leading = commentsIn(Math.min(lineEnd, codeStart), codeStart);
    if (codeOffset === -1) {
      lines.push({ leading, code: null, trailing: [], after: [] });
      continue;
    }
    const field = /^\.\s*([A-Za-z_]\w*)\s*=\s*/.exec(text.slice(codeOffset));
    if (!field) return refuse('its fields are given by position, not by name (.type = …), so which value is which is not certain');
    const fieldName = field[1]!;
    const refused = REFUSED_FIELDS.get(fieldName);
    if (refused) return refuse(refused);
    const write = FIELDS.get(fieldName);
    if (!write) return refuse(`it sets .${fieldName}, which a BTF-defined map has no field for`);
    if (seen.has(fieldName)) return refuse(`it sets .${fieldName} twice`);
    seen.add(fieldName);
    const valueStart = codeStart + field[0].length;
    const value = expressionText(source, masked, inside, valueStart, segment.end);
    if (!value) return refuse(`.${fieldName} has no value`);
    // The fields' indentation is the first one's that starts a line of its own.
    const before = /(^|\n)([ \t]*)$/.exec(masked.slice(0, codeStart));
    if (before && indent === null) indent = before[2]!;
    // Comments after the value on a later line (before the next comma, or the `}`) stay on lines of their own.
    const valueEnd = segment.start + text.trimEnd().length;
    const later = commentsIn(valueEnd, segment.end).filter((c) => masked.slice(valueEnd, c.start).includes('\n'));
    const trailing = commentsIn(codeStart, segment.end).filter((c) => !later.includes(c));
    lines.push({ leading, code: `${write(value)};`, trailing, after: later });
  }

  const outer = /[ \t]*$/.exec(masked.slice(0, at.start))![0];
  const fieldIndent = outer + (indent || '\t');
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    for (const c of line.leading) out.push(fieldIndent + c.text);
    const trailing = trailingText(line.trailing);
    if (i === 0) {
      // Comments right after the `{` stay on the `struct {` line.
      out.push(`struct {${trailing.same}`);
    } else if (line.code !== null) {
      out.push(`${fieldIndent}${line.code}${trailing.same}`);
    }
    for (const c of [...trailing.after, ...line.after]) out.push(fieldIndent + c.text);
  }
  out.push(`${outer}} ${name} SEC(".maps");`);
  return { ...place, ok: true, replacement: out.join('\n') };
}

/** Comments after a field: block comments and one `//` stay on its line; more `//` comments go on lines of their own. */
function trailingText(comments: Comment[]): { same: string; after: Comment[] } {
  const blocks = comments.filter((c) => !c.line);
  const lineComments = comments.filter((c) => c.line);
  const same = [...blocks, ...lineComments.slice(0, 1)].map((c) => ` ${c.text.replace(/\n/g, ' ')}`).join('');
  return { same, after: lineComments.slice(1) };
}

/** A value as the user wrote it; comments inside it become the field's trailing comments, so only a line break inside is folded. */
function expressionText(source: string, masked: string, comments: Comment[], from: number, to: number): string {
  const raw = masked.slice(from, to);
  const hasComment = comments.some((c) => c.start >= from && c.start < to);
  if (!hasComment && !raw.includes('\n')) return source.slice(from, to).trim();
  return raw.replace(/\s+/g, ' ').trim();
}

/** Ranges of [from, to) split at commas outside brackets (the last may be empty: a trailing comma). */
function splitTopLevel(masked: string, from: number, to: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = masked[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push({ start, end: i });
      start = i + 1;
    } else if (c === '"' || c === "'") {
      const endQuote = masked.indexOf(c, i + 1);
      if (endQuote !== -1 && endQuote < to) i = endQuote;
    }
  }
  out.push({ start, end: to });
  return out;
}

/** Whether the file includes libbpf's helpers header, which defines __uint, __type and SEC. */
function includesHelpers(masked: string): boolean {
  return /^[ \t]*#[ \t]*include[ \t]*[<"](?:bpf\/)?bpf_helpers\.h[>"]/m.test(masked);
}

/**
 * The edits that convert the legacy maps chosen (all convertible ones by
 * default), with the helpers header included when the file lacks it.
 */
export function convertLegacyMaps(source: string, chosen: (map: LegacyMap) => boolean = () => true): LegacyMapConversion {
  const maps = findLegacyMaps(source).filter((m): m is LegacyMap & { ok: true } => m.ok && chosen(m));
  if (maps.length === 0) return { edits: [], converted: [], notes: [] };
  const edits: SourceEdit[] = maps.map((m) => ({ start: m.start, end: m.end, text: m.replacement }));
  const notes: string[] = [];
  const { masked } = maskComments(source);
  if (!includesHelpers(masked)) {
    const includes = [...masked.matchAll(/^[ \t]*#[ \t]*include\b.*$/gm)];
    const last = includes.at(-1);
    // After the last #include (on a line of its own, also when that line ends the file), else first.
    const at = last ? last.index + last[0].length : 0;
    const text = last ? (at < source.length ? `${HELPERS_INCLUDE}\n` : `\n${HELPERS_INCLUDE}`) : `${HELPERS_INCLUDE}\n`;
    const start = last && at < source.length ? at + 1 : at;
    edits.push({ start, end: start, text });
    edits.sort((a, b) => a.start - b.start || a.end - b.end);
    notes.push(`Added ${HELPERS_INCLUDE}, which defines __uint, __type and SEC for the new definitions.`);
  }
  return { edits, converted: maps.map((m) => m.name), notes };
}

/** The source with the edits made (they are in order and do not overlap). */
export function applyEdits(source: string, edits: SourceEdit[]): string {
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + source.slice(at);
}
