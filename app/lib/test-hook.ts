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
}

declare global {
  interface Window {
    __playground?: PlaygroundTestHook;
  }
}
