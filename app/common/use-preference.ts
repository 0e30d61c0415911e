import { useCallback, useState } from 'react';
import type { z } from 'zod';
import { parseJson } from './json-input.ts';

/** A value remembered in localStorage (the page renders on the client only, so no hydration mismatch). */
export function usePreference<T>(key: string, schema: z.ZodType<T>, fallback: T): [T, (value: T) => void] {
  const [value, setValue] = useState<T>(() => loadPreference(key, schema, fallback));
  const update = useCallback(
    (next: T) => {
      setValue(next);
      savePreference(key, next);
    },
    [key],
  );
  return [value, update];
}

// No localStorage outside a browser (a server render, Node's tests).
const storage = () => (typeof localStorage === 'undefined' ? undefined : localStorage);

/** A small typed value in localStorage (split sizes, preferences). */
function loadPreference<T>(key: string, schema: z.ZodType<T>, fallback: T): T {
  const text = storage()?.getItem(`ebpf-playground:${key}`);
  if (!text) return fallback;
  const parsed = parseJson(text);
  if (!parsed.ok) return fallback;
  const checked = schema.safeParse(parsed.value);
  return checked.success ? checked.data : fallback;
}

function savePreference(key: string, value: unknown): void {
  try {
    storage()?.setItem(`ebpf-playground:${key}`, JSON.stringify(value));
  } catch {
    // A preference that cannot be stored is simply not remembered.
  }
}
