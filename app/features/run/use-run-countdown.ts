import { useEffect, useState } from 'react';
import { type RunRefusal, secondsUntilRun } from './run-refusal.ts';

/** Seconds until Run is taken again after a rate-limit refusal, ticking down to 0 (and then still). */
export function useRunCountdown(refusal: RunRefusal | null): number {
  const [seconds, setSeconds] = useState(() => secondsUntilRun(refusal, Date.now()));
  useEffect(() => {
    const tick = () => {
      const left = secondsUntilRun(refusal, Date.now());
      setSeconds(left);
      return left;
    };
    if (tick() === 0) return;
    const timer = setInterval(() => {
      if (tick() === 0) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [refusal]);
  return seconds;
}
