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
  /** Lines of a file lit because their instructions are under the mouse in Inspect. */
  linkedLines(file: string): number[];
  /** The text of a read-only view (disassembly, skeleton, logs) by its test id, or null when none is shown. */
  readOnlyText(testId: string): string | null;
  /** Lines a read-only view marks as errors (the participant viewer), by its test id, or null when none is shown. */
  readOnlyMarkedLines(testId: string): number[] | null;
  /** Rows of a read-only view (disassembly, translated code) lit as the linked C line's, by its test id, or null when none is shown. */
  readOnlyLinkedRows(testId: string): number[] | null;
  /** What a map's chart holds, as drawn (the data handed to uPlot, or the bars), or null when that map shows no chart. */
  chart(map: string): ChartState | null;
}

/** A map's chart as the test hook reports it. */
export interface ChartState {
  view: 'series' | 'histogram' | 'top';
  /** The series' keys (time series) or the bars' labels. */
  labels: string[];
  /** Each series' latest point, or each bar's value. */
  values: (number | null)[];
  /** Points per series (time series) or bars drawn. */
  points: number;
}

/** What the hook reads of a read-only view. */
export interface ReadOnlyViewState {
  text(): string;
  markedLines(): number[];
  linkedRows(): number[];
}

/** Read-only views currently mounted, by test id: the hook reads their text and marks without Monaco's DOM. */
const readOnlyViews = new Map<string, ReadOnlyViewState>();

export function registerReadOnlyView(testId: string, view: ReadOnlyViewState): () => void {
  readOnlyViews.set(testId, view);
  return () => {
    if (readOnlyViews.get(testId) === view) readOnlyViews.delete(testId);
  };
}

export function readOnlyText(testId: string): string | null {
  return readOnlyViews.get(testId)?.text() ?? null;
}

export function readOnlyMarkedLines(testId: string): number[] | null {
  return readOnlyViews.get(testId)?.markedLines() ?? null;
}

export function readOnlyLinkedRows(testId: string): number[] | null {
  return readOnlyViews.get(testId)?.linkedRows() ?? null;
}

/** Charts currently mounted, by map name. */
const charts = new Map<string, () => ChartState>();

export function registerChart(map: string, state: () => ChartState): () => void {
  charts.set(map, state);
  return () => {
    if (charts.get(map) === state) charts.delete(map);
  };
}

export function chartState(map: string): ChartState | null {
  return charts.get(map)?.() ?? null;
}

declare global {
  interface Window {
    __playground?: PlaygroundTestHook;
  }
}
