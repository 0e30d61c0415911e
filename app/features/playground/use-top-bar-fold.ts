import { useLayoutEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';

/**
 * What gives way as the top bar narrows, first to last: the less-used actions
 * fold into More, the Run button drops its shortcut hint, the brand its name.
 * Run, Stop, the examples and the kernel picker never fold.
 */
export type FoldStep = 'lessons' | 'room' | 'open' | 'export' | 'share' | 'runHint' | 'brand' | 'trigger';

export const PAGE_FOLDS: readonly FoldStep[] = ['lessons', 'room', 'open', 'export', 'share', 'runHint', 'brand', 'trigger'];
export const EMBED_FOLDS: readonly FoldStep[] = ['runHint', 'brand', 'trigger'];

/**
 * How many steps stay folded when the bar is `width` wide: `needed[k]` is
 * the width the bar took with k steps folded (measured when it did not fit).
 * A step unfolds once the bar is as wide as it was without it.
 */
export function foldsForWidth(folded: number, width: number, needed: readonly (number | undefined)[]): number {
  let count = folded;
  while (count > 0 && needed[count - 1] !== undefined && width >= needed[count - 1]!) count--;
  return count;
}

/**
 * Folds the bar's steps, in order, until its content fits its width: measured
 * after each render, before the browser paints, so an overflowing bar is never
 * seen. `contentKey` names what changes the controls' widths (a room code, the
 * example's title): when it changes, the bar is measured again from unfolded.
 */
export function useTopBarFold(steps: readonly FoldStep[], contentKey: string) {
  const bar = useRef<HTMLElement>(null);
  const [count, setCount] = useState(0);
  const needed = useRef<(number | undefined)[]>([]);
  const measuredKey = useRef(contentKey);
  const countNow = useRef(count);
  countNow.current = count;

  // After every render: too wide for the bar, fold one more step (React renders again at once).
  useLayoutEffect(() => {
    const element = bar.current;
    if (!element) return;
    if (measuredKey.current !== contentKey) {
      measuredKey.current = contentKey;
      needed.current = [];
      if (count > 0) {
        setCount(0);
        return;
      }
    }
    if (element.scrollWidth > element.clientWidth && count < steps.length) {
      needed.current[count] = element.scrollWidth;
      setCount(count + 1);
    }
  });

  // The window resized: unfold what fits again, or start folding what no longer does.
  useLayoutEffect(() => {
    const element = bar.current;
    if (!element) return;
    let width = element.clientWidth;
    const observer = new ResizeObserver(() => {
      if (element.clientWidth === width) return;
      width = element.clientWidth;
      const fits = element.scrollWidth <= element.clientWidth;
      const next = fits ? foldsForWidth(countNow.current, width, needed.current) : Math.min(countNow.current + 1, steps.length);
      if (!fits) needed.current[countNow.current] = element.scrollWidth;
      // Rendered before the browser paints this frame, as the folds after a render are.
      if (next !== countNow.current) flushSync(() => setCount(next));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [steps.length]);

  const folded = new Set(steps.slice(0, count));
  return { bar, folded: (step: FoldStep) => folded.has(step) };
}
