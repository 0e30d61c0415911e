'use client';

import { useLayoutEffect, useRef, type KeyboardEvent, type ReactNode, type WheelEvent } from 'react';
import styles from './playground.module.css';

export type RightTab = 'output' | 'maps' | 'events' | 'inspect' | 'log' | 'lesson' | 'room';

export interface TabSpec {
  id: RightTab;
  /** The tab's name and badge (a TabLabel). */
  label: ReactNode;
  panel: ReactNode;
  /** Panels that keep state (scroll, filters) stay mounted while hidden. */
  keepMounted: boolean;
}

interface RightTabsProps {
  tabs: TabSpec[];
  active: RightTab;
  onSelect(tab: RightTab): void;
  /** Tabs shown at least once: their panels stay mounted from then on. */
  visited: Set<RightTab>;
}

/**
 * The right side's tabs (Output, Maps, Events, Inspect, Verifier log, Lessons, Room), moved between with the arrow keys.
 * Where the pane is too narrow for them all, the strip scrolls sideways (the mouse wheel too), keeping the open tab in view.
 */
export function RightTabs({ tabs, active, onSelect, visited }: RightTabsProps) {
  const strip = useRef<HTMLDivElement>(null);
  // Before the paint that shows it selected, and again when a badge widens a tab before it: the open tab is never left cut off.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a change in the tabs shown (an embed's Maps arriving) brings new elements to observe.
  useLayoutEffect(() => {
    const reveal = () => document.getElementById(`tab-${active}`)?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    reveal();
    const observer = new ResizeObserver(reveal);
    for (const tab of strip.current?.children ?? []) observer.observe(tab);
    return () => observer.disconnect();
  }, [active, tabs.length]);

  const onWheel = (event: WheelEvent<HTMLDivElement>) => {
    // A wheel turns up and down; the strip only goes sideways.
    if (event.deltaX === 0) event.currentTarget.scrollLeft += event.deltaY;
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const index = tabs.findIndex((t) => t.id === active);
    let next = -1;
    if (event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    else return;
    event.preventDefault();
    onSelect(tabs[next]!.id);
    document.getElementById(`tab-${tabs[next]!.id}`)?.focus();
  };

  return (
    <div className={styles.rightTabs}>
      <div ref={strip} className={styles.tabStrip} role="tablist" aria-label="Results" onKeyDown={onKeyDown} onWheel={onWheel}>
        {tabs.map((tab) => (
          <button
            key={tab.id}
            id={`tab-${tab.id}`}
            type="button"
            role="tab"
            aria-selected={tab.id === active}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab.id === active ? 0 : -1}
            className={styles.tab}
            onClick={() => onSelect(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs.map((tab) =>
        tab.id === active || tab.keepMounted || visited.has(tab.id) ? (
          <div key={tab.id} id={`panel-${tab.id}`} role="tabpanel" aria-labelledby={`tab-${tab.id}`} className={styles.tabPanel} hidden={tab.id !== active}>
            {tab.panel}
          </div>
        ) : null,
      )}
    </div>
  );
}
