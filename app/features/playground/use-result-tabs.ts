import { useEffect, useRef, useState } from 'react';
import type { RunView } from '../run/run-view.ts';
import type { RightTab } from './RightTabs.tsx';
import { landingTab, resultTabs, shownTab, type LoadedProgram, type ResultsLayout } from './result-tabs.ts';
import type { TabsState } from './use-tabs.ts';

/**
 * Which result tabs the layout shows and which one is open. They follow the
 * program that loaded last, so a new Run keeps an embed's Maps until its own
 * program loads; an embed's program that prints nothing opens on its results.
 */
export function useResultTabs(view: RunView, layout: ResultsLayout, tabs: TabsState): { shown: RightTab[]; active: RightTab } {
  const { tab, selectTab } = tabs;
  const [program, setProgram] = useState<LoadedProgram | null>(null);
  const landedRun = useRef<number | null>(null);
  const { loaded, maps, runId } = view;

  useEffect(() => {
    if (loaded) setProgram({ maps, printsTrace: loaded.printsTrace });
  }, [loaded, maps]);

  useEffect(() => {
    if (!loaded?.ok || landedRun.current === runId) return;
    landedRun.current = runId;
    // Only from Output: a tab the user opened stays open.
    const landing = landingTab(layout, { maps, printsTrace: loaded.printsTrace });
    if (landing && tab === 'output') selectTab(landing);
  }, [loaded, maps, runId, layout, tab, selectTab]);

  const shown = resultTabs(layout, program);
  return { shown, active: shownTab(tab, shown) };
}
