import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Example, MapSeed, SourceFile } from '../../../protocol/messages.ts';
import { clearDraft, loadDraft, loadSaved, saveDraft, saveWork, type SavedWork, type SeedRow } from './saved-work.ts';
import { seedRowsOf } from '../share/share-link.ts';

export interface Workspace {
  /** The example the files came from, by name. */
  example: string | null;
  files: SourceFile[];
  activeFile: string | null;
  seeds: SeedRow[];
  /** When Ctrl/Cmd+S last saved (Date.now()), null if never. */
  savedAt: number | null;
  /** The files or seeds differ from what was last saved. */
  dirty: boolean;
  /** Files whose text differs from the last save (or the example as loaded). */
  modified: Set<string>;
  /** Where the files came from on load, to say so once. */
  restoredFrom: 'saved' | 'draft' | null;
}

export interface WorkspaceActions {
  setFile(name: string, content: string): void;
  setActiveFile(name: string): void;
  /** Adds a file (at `index`, else last) and shows it. Names are checked by the caller (file-names.ts). */
  addFile(name: string, content: string, index?: number): void;
  renameFile(from: string, to: string): void;
  /** Removes a file; the tab beside it is shown next. */
  deleteFile(name: string): void;
  setSeeds(seeds: SeedRow[]): void;
  /**
   * Puts a program in the editor in place of the current one: its files, and
   * its seeds and settings in place of the current ones. The replaced program
   * is kept for undoLoad (true when there was one). Storage keeps the user's
   * saved work until they save.
   */
  open(program: ProgramToOpen): boolean;
  /** The address's program could not be opened: open the first example instead, as a first visit does. */
  openFirstExampleInstead(): void;
  /** Puts back the files and seeds that the last open replaced; false when there is nothing to undo. */
  undoLoad(): boolean;
  save(): boolean;
}

/** A program opened on purpose: an example, a lesson's starter, a shared link, a room's push. */
export interface ProgramToOpen {
  /** The example (or `lesson:NAME`, `room:AT`) it is, by name; null for a shared link. */
  example: string | null;
  files: SourceFile[];
  seeds: MapSeed[];
}

interface State {
  example: string | null;
  files: SourceFile[];
  activeFile: string | null;
  seeds: SeedRow[];
}

const EMPTY: State = { example: null, files: [], activeFile: null, seeds: [] };

function snapshotOf(state: State): string {
  return JSON.stringify({ files: state.files, seeds: state.seeds });
}

/**
 * The user's files and seeds. They live in React state (a lost connection
 * never touches them), are saved to localStorage on Ctrl/Cmd+S, and are kept
 * as a draft in sessionStorage so a reload of the tab restores the typing.
 *
 * With `restore: false` (a share link, an embed) the page neither restores
 * nor drafts: what it shows comes from the address, and a reload shows it again.
 * With `firstExample: false` (a share link) the first example is not opened
 * while the address's program is on its way, so the editor never shows a
 * program the link did not name; openFirstExampleInstead() opens it if the
 * link fails.
 */
export function useWorkspace(
  examples: Example[] | null,
  { restore = true, firstExample = true }: { restore?: boolean; firstExample?: boolean } = {},
): [Workspace, WorkspaceActions] {
  const [initial] = useState(() => {
    if (!restore) return { saved: null, from: null, restoredFrom: null };
    const saved = loadSaved();
    const draft = loadDraft();
    const useDraft = draft && (!saved || draft.savedAt > saved.savedAt);
    const from = useDraft ? draft : saved;
    return { saved, from, restoredFrom: (useDraft ? 'draft' : saved ? 'saved' : null) as Workspace['restoredFrom'] };
  });
  const [state, setState] = useState<State>(() =>
    initial.from
      ? {
          example: initial.from.example,
          files: initial.from.files,
          seeds: initial.from.seeds,
          activeFile: initial.from.activeFile ?? initial.from.files[0]!.name,
        }
      : EMPTY,
  );
  // What "unsaved" is measured against: the last save, or the example as it was loaded.
  const [baseline, setBaseline] = useState<State | null>(() => (initial.saved ? { ...EMPTY, files: initial.saved.files, seeds: initial.saved.seeds } : null));
  const [savedAt, setSavedAt] = useState<number | null>(initial.saved?.savedAt ?? null);
  const previous = useRef<State | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;

  /**
   * Set the moment a program is put in the editor on purpose (a shared link, a
   * picked lesson): the first example must never replace it, even when the
   * example list arrives in the same tick, before a render updated stateRef.
   */
  const placed = useRef(false);
  const [firstExampleWanted, setFirstExampleWanted] = useState(firstExample);

  // A first visit opens the first example as soon as the server lists them.
  useEffect(() => {
    const first = examples?.[0];
    if (!first || !firstExampleWanted) return;
    if (stateRef.current.files.length || placed.current) return;
    const loaded = { example: first.name, files: first.files, activeFile: first.files[0]!.name, seeds: seedRowsOf(first.seeds) };
    setState((current) => (current.files.length || placed.current ? current : loaded));
    setBaseline((current) => (current || placed.current ? current : loaded));
  }, [examples, firstExampleWanted]);

  const dirty = useMemo(() => state.files.length > 0 && (!baseline || snapshotOf(state) !== snapshotOf(baseline)), [state, baseline]);
  const modified = useMemo(() => {
    const names = new Set<string>();
    for (const file of state.files) {
      if (baseline?.files.find((f) => f.name === file.name)?.content !== file.content) names.add(file.name);
    }
    return names;
  }, [state.files, baseline]);

  // Every edit is kept for this tab a moment later, saved or not.
  useEffect(() => {
    if (!state.files.length || !restore) return;
    if (!dirty) {
      clearDraft();
      return;
    }
    const timer = setTimeout(() => saveDraft(toSaved(state, Date.now())), 400);
    return () => clearTimeout(timer);
  }, [state, dirty, restore]);

  const setFile = useCallback((name: string, content: string) => {
    setState((current) => {
      const index = current.files.findIndex((f) => f.name === name);
      if (index < 0 || current.files[index]!.content === content) return current;
      const files = current.files.slice();
      files[index] = { name, content };
      return { ...current, files };
    });
  }, []);

  const setActiveFile = useCallback((name: string) => setState((current) => ({ ...current, activeFile: name })), []);

  const addFile = useCallback((name: string, content: string, index?: number) => {
    setState((current) => {
      if (current.files.some((f) => f.name === name)) return current;
      const files = current.files.slice();
      files.splice(index ?? files.length, 0, { name, content });
      return { ...current, files, activeFile: name };
    });
  }, []);

  const renameFile = useCallback((from: string, to: string) => {
    setState((current) => {
      if (from === to || current.files.some((f) => f.name === to)) return current;
      const files = current.files.map((f) => (f.name === from ? { ...f, name: to } : f));
      return { ...current, files, activeFile: current.activeFile === from ? to : current.activeFile };
    });
  }, []);

  const deleteFile = useCallback((name: string) => {
    setState((current) => {
      const index = current.files.findIndex((f) => f.name === name);
      if (index < 0 || current.files.length === 1) return current;
      const files = current.files.filter((f) => f.name !== name);
      const activeFile = current.activeFile === name ? files[Math.min(index, files.length - 1)]!.name : current.activeFile;
      return { ...current, files, activeFile };
    });
  }, []);
  const setSeeds = useCallback((seeds: SeedRow[]) => setState((current) => ({ ...current, seeds })), []);

  // The opened program is the baseline: edits to it are what show as modified.
  const open = useCallback((program: ProgramToOpen) => {
    placed.current = true;
    const loaded = { example: program.example, files: program.files, activeFile: program.files[0]!.name, seeds: seedRowsOf(program.seeds) };
    // What the page shows now (the last render: an edit re-renders before any menu can be used).
    const replaced = stateRef.current;
    // Nothing to go back to on an empty editor (a link's page before its program came).
    previous.current = replaced.files.length ? replaced : null;
    setState(loaded);
    setBaseline(loaded);
    return previous.current !== null;
  }, []);

  const openFirstExampleInstead = useCallback(() => setFirstExampleWanted(true), []);

  const undoLoad = useCallback(() => {
    const back = previous.current;
    if (!back) return false;
    previous.current = null;
    setState(back);
    setBaseline(null);
    return true;
  }, []);

  const save = useCallback(() => {
    const current = stateRef.current;
    if (!current.files.length) return false;
    const at = Date.now();
    if (!saveWork(toSaved(current, at))) return false;
    clearDraft();
    setBaseline(current);
    setSavedAt(at);
    return true;
  }, []);

  const workspace: Workspace = { ...state, savedAt, dirty, modified, restoredFrom: initial.restoredFrom };
  const actions = useMemo(
    () => ({ setFile, setActiveFile, addFile, renameFile, deleteFile, setSeeds, open, openFirstExampleInstead, undoLoad, save }),
    [setFile, setActiveFile, addFile, renameFile, deleteFile, setSeeds, open, openFirstExampleInstead, undoLoad, save],
  );
  return [workspace, actions];
}

function toSaved(state: State, at: number): SavedWork {
  return { example: state.example ?? '', files: state.files, seeds: state.seeds, activeFile: state.activeFile ?? undefined, savedAt: at };
}
