import type { MapSeed } from '../../protocol/messages.ts';
import { toInputText } from './json-input.ts';
import type { SeedRow } from './saved-work.ts';

/** What the page's address asks for: a shared program to open, and the minimal embed layout. */
export interface PageParams {
  shareId: string | null;
  embed: boolean;
}

export function readPageParams(search: string): PageParams {
  const params = new URLSearchParams(search);
  const shareId = params.get('share')?.trim() || null;
  const embed = params.get('embed');
  return { shareId, embed: embed !== null && embed !== '0' && embed !== 'false' };
}

/** The link that opens a shared program: `${origin}/?share=ID`, with `&embed=1` for docs and slides. */
export function shareLink(origin: string, shareId: string, embed = false): string {
  return `${origin}/?share=${encodeURIComponent(shareId)}${embed ? '&embed=1' : ''}`;
}

/** Seeds as the page edits them (typed text), from the protocol's values; parseSeeds is the way back. */
export function seedRowsOf(seeds: MapSeed[]): SeedRow[] {
  return seeds.map((s) => ({ map: s.map, key: toInputText(s.key), value: toInputText(s.value) }));
}
