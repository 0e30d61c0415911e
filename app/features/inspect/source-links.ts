import type { SourceBlock } from '../../../protocol/messages.ts';

/** A line of one of the editor's files. */
export interface SourceLine {
  file: string;
  line: number;
}

/**
 * The C line linked between the editor and a code view, and where the user
 * pointed at it: a row of the code view (the editor lights its C line), the
 * editor under the mouse, or the editor's cursor (the code view scrolls to
 * its rows, since the user moved there on purpose).
 */
export interface LinkedLine extends SourceLine {
  from: 'code' | 'editor-hover' | 'editor-cursor';
}

export function sameLine(a: SourceLine | null, b: SourceLine | null): boolean {
  return a === b || (a !== null && b !== null && a.file === b.file && a.line === b.line);
}

/** The rows of a code text that came from a C line, in order. */
export function rowsOfLine(blocks: readonly SourceBlock[], at: SourceLine | null): number[] {
  if (!at) return [];
  const rows: number[] = [];
  for (const b of blocks) {
    if (b.file !== at.file || b.line !== at.line) continue;
    for (let row = b.firstRow; row <= b.lastRow; row++) rows.push(row);
  }
  return rows;
}

/** The C line a row of a code text came from, or null for a label, a blank line or code of no line. */
export function lineOfRow(blocks: readonly SourceBlock[], row: number): SourceLine | null {
  const block = blocks.find((b) => b.firstRow <= row && row <= b.lastRow);
  return block ? { file: block.file, line: block.line } : null;
}

/**
 * Who points at which C line, outside React state: the mouse moves over a
 * line many times a second, and only the views that show the link should
 * draw again when the line changes, not the whole page.
 */
export class SourceLinks {
  private editorHover: SourceLine | null = null;
  private editorCursor: SourceLine | null = null;
  private codeHover: SourceLine | null = null;
  private current: LinkedLine | null = null;
  private readonly listeners = new Set<() => void>();

  /** `reveal`: shows a C line in the editor, its cursor there (a click on an instruction). */
  constructor(private readonly reveal: (at: SourceLine) => void) {}

  /** The linked line: the code view's row under the mouse first, then the editor's line under the mouse, then its cursor. */
  get linked(): LinkedLine | null {
    return this.current;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  pointInEditor = (at: SourceLine | null, how: 'hover' | 'cursor'): void => {
    if (how === 'hover') this.editorHover = at;
    else this.editorCursor = at;
    this.update();
  };

  /** A row of a code view under the mouse (its C line), or null when the mouse left the rows with one. */
  pointInCode = (at: SourceLine | null): void => {
    this.codeHover = at;
    this.update();
  };

  /** A click on a row of a code view: its C line is shown in the editor. */
  pickInCode = (at: SourceLine): void => {
    this.reveal(at);
  };

  private update(): void {
    const next: LinkedLine | null = this.codeHover
      ? { ...this.codeHover, from: 'code' }
      : this.editorHover
        ? { ...this.editorHover, from: 'editor-hover' }
        : this.editorCursor
          ? { ...this.editorCursor, from: 'editor-cursor' }
          : null;
    if (sameLine(next, this.current) && next?.from === this.current?.from) return;
    this.current = next;
    for (const listener of this.listeners) listener();
  }
}
