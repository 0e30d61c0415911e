import type { MapMeta } from '../../../protocol/messages.ts';
import type { RightTab } from './RightTabs.tsx';

/** The full page, or the minimal one of an embed in docs and slides. */
export type ResultsLayout = 'full' | 'embed';

/** What of the loaded program decides the result tabs: its maps, and whether it prints trace lines. */
export interface LoadedProgram {
  maps: Pick<MapMeta, 'name' | 'type'>[];
  printsTrace: boolean;
}

const FULL_TABS: RightTab[] = ['output', 'maps', 'events', 'inspect', 'log', 'lesson', 'room'];

/** Ring buffers and perf event arrays: their records are shown in Events, not as entries. */
export function isEventStream(map: Pick<MapMeta, 'type'>): boolean {
  return map.type === 'ringbuf' || map.type === 'perf_event_array';
}

/**
 * Maps whose values a reader watches change: the program's own maps and its
 * .bss and .data globals. Not its constants (.rodata, .kconfig, the strings of
 * its bpf_printk calls) nor its event streams. libbpf names a globals map
 * `<object>.<section>`.
 */
export function watchedMaps<M extends Pick<MapMeta, 'name' | 'type'>>(maps: M[]): M[] {
  return maps.filter((map) => {
    if (isEventStream(map)) return false;
    const section = map.name.split('.')[1];
    return section === undefined || section === 'bss' || section === 'data';
  });
}

/** The result tabs a layout shows: all of them on the page; in an embed, Output, and Maps and Events when the loaded program has them. */
export function resultTabs(layout: ResultsLayout, program: LoadedProgram | null): RightTab[] {
  if (layout === 'full') return FULL_TABS;
  const maps = program?.maps ?? [];
  const tabs: RightTab[] = ['output'];
  if (watchedMaps(maps).length) tabs.push('maps');
  if (maps.some(isEventStream)) tabs.push('events');
  return tabs;
}

/**
 * Where an embed's results open once its program loads: Output, unless the
 * program prints nothing, whose Output would wait forever: then Events or Maps,
 * where its results are. The full page stays where the user put it (null).
 */
export function landingTab(layout: ResultsLayout, program: LoadedProgram): RightTab | null {
  if (layout === 'full' || program.printsTrace) return null;
  const tabs = resultTabs(layout, program);
  if (tabs.includes('events')) return 'events';
  if (tabs.includes('maps')) return 'maps';
  return null;
}

/** The tab to show: the chosen one while the layout has it, else the first (an embed's Maps after a program without maps ran). */
export function shownTab(chosen: RightTab, tabs: RightTab[]): RightTab {
  return tabs.includes(chosen) ? chosen : tabs[0]!;
}
