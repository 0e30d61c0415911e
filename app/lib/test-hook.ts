/**
 * A small typed handle the e2e tests (and curious users in devtools) use to
 * read and write the editor's files without reaching into Monaco's DOM.
 */
export interface PlaygroundTestHook {
  /** File names in the editor, in tab order. */
  files(): string[];
  getSource(file: string): string | null;
  /** Replaces a file's text as if the user had typed it. Returns false when there is no such file. */
  setSource(file: string, text: string): boolean;
  activeFile(): string | null;
  /** The editor's cursor, 1-based, in the active file. */
  cursor(): { line: number; column: number } | null;
  /** Markers Monaco holds for a file, as the editor shows them. */
  markers(file: string): { line: number; column: number; severity: number; message: string }[];
  /** Lines of a file highlighted as where the verifier stopped. */
  highlightedLines(file: string): number[];
  /** The text of a read-only view (disassembly, skeleton, logs) by its test id, or null when none is shown. */
  readOnlyText(testId: string): string | null;
}

/** Read-only views currently mounted, by test id: the hook reads their text without Monaco's DOM. */
const readOnlyViews = new Map<string, () => string>();

export function registerReadOnlyView(testId: string, text: () => string): () => void {
  readOnlyViews.set(testId, text);
  return () => {
    if (readOnlyViews.get(testId) === text) readOnlyViews.delete(testId);
  };
}

export function readOnlyText(testId: string): string | null {
  return readOnlyViews.get(testId)?.() ?? null;
}

declare global {
  interface Window {
    __playground?: PlaygroundTestHook;
  }
}
