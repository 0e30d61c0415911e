import { useEffect, useState } from 'react';
import type { RunView } from '../run/run-view.ts';
import type { RightTab } from './RightTabs.tsx';

/** Tabs whose badge says "something new since you looked" (Output and Events count instead). */
export type NewsTab = 'maps' | 'inspect' | 'log';

/**
 * Whether a tab holds news the user has not looked at: each tab's news is a
 * key of what it shows, remembered as seen while the tab is open.
 */
export function useTabNews(view: RunView, tab: RightTab): (t: NewsTab) => boolean {
  const newsKey: Record<NewsTab, string> = {
    maps: `${view.runId}:${view.maps.length}`,
    inspect: `${view.runId}:${view.inspect ? 1 : 0}:${view.skeleton ? 1 : 0}`,
    log: `${view.runId}:${view.loaded ? 1 : 0}:${view.error ? 1 : 0}`,
  };
  const [seen, setSeen] = useState<Record<string, string>>({});
  const newsNow = newsKey[tab as NewsTab];
  useEffect(() => {
    if (newsNow !== undefined) setSeen((current) => (current[tab] === newsNow ? current : { ...current, [tab]: newsNow }));
  }, [tab, newsNow]);
  return (t) => tab !== t && seen[t] !== newsKey[t];
}
