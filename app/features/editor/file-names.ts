import { SOURCE_FILE_NAME } from '../../../protocol/messages.ts';

/**
 * Why a file name cannot be used, in one sentence, or null when it can.
 * `existing` are the other files' names (without the one being renamed);
 * `replacing` is the name being renamed, if any.
 */
export function fileNameProblem(name: string, existing: string[], replacing: string | null = null): string | null {
  if (!name) return 'Give the file a name, such as maps.h.';
  if (!SOURCE_FILE_NAME.test(name) || !/\.(c|h)$/.test(name)) {
    return 'Use letters, digits, _ . - (64 at most, not starting with . or -) and end the name in .c or .h.';
  }
  const others = existing.filter((n) => n !== replacing);
  if (others.includes(name)) return `There is a file named ${name} already.`;
  // The server compiles exactly one .c file; the rest are headers it includes.
  if (name.endsWith('.c') && others.some((n) => n.endsWith('.c'))) {
    return 'The program is one .c file: add headers (.h) beside it and #include them.';
  }
  if (replacing?.endsWith('.c') && !name.endsWith('.c') && !others.some((n) => n.endsWith('.c'))) {
    return 'The program needs its .c file: keep the name ending in .c.';
  }
  return null;
}

/** A file may be deleted unless it is the only .c (the one the server compiles). */
export function canDelete(name: string, names: string[]): boolean {
  return !name.endsWith('.c') || names.filter((n) => n.endsWith('.c')).length > 1;
}

/** A name for a new header that is not taken: prog.h, prog2.h, … after the .c's stem. */
export function suggestHeaderName(names: string[]): string {
  const main = names.find((n) => n.endsWith('.c'));
  const stem = main ? main.replace(/\.bpf\.c$|\.c$/, '') : 'prog';
  for (let i = 1; ; i++) {
    const candidate = `${stem}${i === 1 ? '' : i}.h`;
    if (!names.includes(candidate)) return candidate;
  }
}

/** What a new header starts with: an include guard, so including it twice is harmless. */
export function headerTemplate(name: string): string {
  const guard = `__${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
  return `/* ${name}: definitions shared by the program's files. */\n#ifndef ${guard}\n#define ${guard}\n\n\n\n#endif /* ${guard} */\n`;
}
