import { useCallback, useEffect, useState } from 'react';

/** A short message; one with an Undo floats until it fades instead of sitting in the status bar. */
export interface Toast {
  text: string;
  undo?: () => void;
}

/** Says something for a few seconds: `say(text)` or `say(text, undo)`. */
export type Say = (text: string, undo?: () => void) => void;

export function useToast(): [Toast | null, Say] {
  const [toast, setToast] = useState<Toast | null>(null);
  // Short messages fade after a few seconds; one with an Undo stays a little longer.
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), toast.undo ? 8000 : 4000);
    return () => clearTimeout(timer);
  }, [toast]);
  const say = useCallback<Say>((text, undo) => setToast({ text, undo }), []);
  return [toast, say];
}
