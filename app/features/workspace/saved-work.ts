import { z } from 'zod';
import { sourceFileSchema } from '../../../protocol/messages.ts';
import { parseJson } from '../../common/json-input.ts';

/** A seed as the user edits it: key and value are the typed text, parsed at Run. */
export const seedRowSchema = z.object({ map: z.string(), key: z.string(), value: z.string() });
export type SeedRow = z.infer<typeof seedRowSchema>;

export const savedWorkSchema = z.object({
  example: z.string(),
  files: z.array(sourceFileSchema).min(1),
  seeds: z.array(seedRowSchema),
  activeFile: z.string().optional(),
  savedAt: z.number(),
});
export type SavedWork = z.infer<typeof savedWorkSchema>;

const SAVED_KEY = 'ebpf-playground:saved-work:v1';
/** Unsaved edits of this tab, so a reload never loses typing (sessionStorage: this tab only). */
const DRAFT_KEY = 'ebpf-playground:draft:v1';

function read(storage: Storage | undefined, key: string): SavedWork | null {
  const text = storage?.getItem(key);
  if (!text) return null;
  const parsed = parseJson(text);
  if (!parsed.ok) return null;
  const checked = savedWorkSchema.safeParse(parsed.value);
  return checked.success ? checked.data : null;
}

function write(storage: Storage | undefined, key: string, work: SavedWork): boolean {
  try {
    storage?.setItem(key, JSON.stringify(work));
    return !!storage;
  } catch {
    // Quota exceeded or storage disabled: the caller says "could not save".
    return false;
  }
}

const local = () => (typeof localStorage === 'undefined' ? undefined : localStorage);
const session = () => (typeof sessionStorage === 'undefined' ? undefined : sessionStorage);

export const loadSaved = () => read(local(), SAVED_KEY);
export const saveWork = (work: SavedWork) => write(local(), SAVED_KEY, work);
export const loadDraft = () => read(session(), DRAFT_KEY);
export const saveDraft = (work: SavedWork) => write(session(), DRAFT_KEY, work);
export const clearDraft = () => session()?.removeItem(DRAFT_KEY);
