import { useCallback, useState } from 'react';
import type { z } from 'zod';
import { loadPreference, savePreference } from '../features/workspace/saved-work.ts';

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
