import { readFileSync } from 'node:fs';
import type { Json, MapSeed } from '../../protocol/messages.ts';

/** A word the user typed: JSON when it parses, else the string itself. */
export function jsonOrString(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** `MAP:KEY=VALUE` from the command line, or null when it is not of that form. */
export function parseSeed(text: string): MapSeed | null {
  const match = /^([^:]+):(.*?)=(.*)$/.exec(text);
  return match ? { map: match[1]!, key: jsonOrString(match[2]!), value: jsonOrString(match[3]!) } : null;
}

/** Every `--seed` and the `--seeds FILE` entries; throws a sentence for a malformed one. */
export function collectSeeds(flags: string[], file: string | undefined): MapSeed[] {
  const seeds = flags.map((text) => {
    const seed = parseSeed(text);
    if (!seed) throw new Error(`--seed takes MAP:KEY=VALUE, got "${text}".`);
    return seed;
  });
  if (file) seeds.push(...(JSON.parse(readFileSync(file, 'utf8')) as MapSeed[]));
  return seeds;
}
