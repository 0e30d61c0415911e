import { useCallback, useState } from 'react';
import type { RightTab } from './RightTabs.tsx';

export interface TabsState {
  tab: RightTab;
  /** Tabs shown at least once: their panels stay mounted from then on. */
  visited: Set<RightTab>;
  selectTab(next: RightTab): void;
}

/** Which result tab is shown, and which have been. */
export function useTabs(first: RightTab): TabsState {
  const [tab, setTab] = useState<RightTab>(first);
  const [visited, setVisited] = useState<Set<RightTab>>(() => new Set([first]));
  const selectTab = useCallback((next: RightTab) => {
    setTab(next);
    setVisited((current) => (current.has(next) ? current : new Set(current).add(next)));
  }, []);
  return { tab, visited, selectTab };
}
