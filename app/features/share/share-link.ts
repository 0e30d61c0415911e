import type { MapSeed } from '../../../protocol/messages.ts';
import { toInputText } from '../../common/json-input.ts';
import type { SeedRow } from '../workspace/saved-work.ts';

/** What the page's address asks for: a shared program to open, and the minimal embed layout. */
export interface PageParams {
  shareId: string | null;
  embed: boolean;
  /** `?room=CODE`: a workshop room to join. */
  roomCode: string | null;
}

export function readPageParams(search: string): PageParams {
  const params = new URLSearchParams(search);
  const shareId = params.get('share')?.trim() || null;
  const embed = params.get('embed');
  const roomCode = params.get('room')?.trim().toUpperCase() || null;
  return { shareId, embed: embed !== null && embed !== '0' && embed !== 'false', roomCode };
}

/** The link that opens a shared program: `${origin}/?share=ID`, with `&embed=1` for docs and slides. */
export function shareLink(origin: string, shareId: string, embed = false): string {
  return `${origin}/?share=${encodeURIComponent(shareId)}${embed ? '&embed=1' : ''}`;
}

/** The link participants open to join a room. */
export function roomLink(origin: string, code: string): string {
  return `${origin}/?room=${encodeURIComponent(code)}`;
}

/** Seeds as the page edits them (typed text), from the protocol's values; parseSeeds is the way back. */
export function seedRowsOf(seeds: MapSeed[]): SeedRow[] {
  return seeds.map((s) => ({ map: s.map, key: toInputText(s.key), value: toInputText(s.value) }));
}
