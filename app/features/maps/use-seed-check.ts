import { useCallback, useState } from 'react';
import type { MapSeed } from '../../../protocol/messages.ts';
import { parseSeeds } from '../../common/json-input.ts';
import type { SeedRow } from '../workspace/saved-work.ts';

export interface SeedCheck {
  /** Why the seeds did not parse at the last check, shown above the Maps tab's seeds. */
  seedError: string | null;
  /** The seeds ready to send, or null (and `onInvalid` called) when they do not parse. */
  checkSeeds(): MapSeed[] | null;
}

/** Seeds are typed text: Run, Share, Export and a room push parse them first. */
export function useSeedCheck(rows: SeedRow[], onInvalid: (error: string) => void): SeedCheck {
  const [seedError, setSeedError] = useState<string | null>(null);
  const checkSeeds = useCallback(() => {
    const seeds = parseSeeds(rows);
    if (seeds.ok) {
      setSeedError(null);
      return seeds.seeds;
    }
    setSeedError(seeds.error);
    onInvalid(seeds.error);
    return null;
  }, [rows, onInvalid]);
  return { seedError, checkSeeds };
}
