'use client';

import { useEffect, useId, useRef, useState } from 'react';
import type * as MonacoApi from 'monaco-editor';
import type { Diagnostic } from '../../../protocol/messages.ts';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import { MONO_FONT, loadMonaco, monacoTheme, toMarkerSeverity, type Monaco } from './monaco.ts';
import { registerReadOnlyView } from '../../common/test-hook.ts';
import styles from './editor.module.css';

interface ReadOnlyCodeProps {
  text: string;
  language: 'c' | 'plaintext' | 'bpf-asm';
  scheme: ColorScheme;
  label: string;
  testId?: string;
  /** Scroll to the last line when the text changes (a log ends with its verdict). */
  revealEnd?: boolean;
  /** Wrap long lines (logs); code keeps its columns and scrolls sideways. */
  wrap?: boolean;
  /** Errors in this text (someone else's failed Run): marked as the editor marks them, the whole line lit, the first one scrolled to. */
  errors?: Diagnostic[];
  /** Rows lit as one C line's (Inspect's link to the editor). */
  linkedRows?: number[];
  /** Scroll the first linked row into view when the rows change (the user moved the editor's cursor, not the mouse). */
  revealLinked?: boolean;
  /** The row under the mouse, or null when the mouse leaves the text. */
  onPointRow?(row: number | null): void;
  /** A click on a row. */
  onPickRow?(row: number): void;
}

/** The whole-line highlight of an error, as the editor lights where the verifier stopped (globals.css). */
const ERROR_LINE = 'verifier-line';
const NO_ERRORS: Diagnostic[] = [];
/** The highlight of the rows of the C line linked with the editor (globals.css). */
const LINKED_ROW = 'source-link-line';
const NO_ROWS: number[] = [];

/**
 * A read-only Monaco view (the generated skeleton, verifier logs): search,
 * folding and a scroll that copes with a megabyte of log.
 */
export function ReadOnlyCode({
  text,
  language,
  scheme,
  label,
  testId,
  revealEnd = false,
  wrap = language === 'plaintext',
  errors = NO_ERRORS,
  linkedRows = NO_ROWS,
  revealLinked = false,
  onPointRow,
  onPickRow,
}: ReadOnlyCodeProps) {
  const container = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<{ monaco: Monaco; editor: MonacoApi.editor.IStandaloneCodeEditor } | null>(null);
  const id = useId();
  const decorations = useRef<string[]>([]);
  /** The text's version and the errors last marked on it: a view sends equal errors in a new array with every message. */
  const marked = useRef<string | null>(null);
  const linkDecorations = useRef<string[]>([]);
  const pointers = useRef({ onPointRow, onPickRow });
  pointers.current = { onPointRow, onPickRow };

  useEffect(() => {
    let disposed = false;
    let editor: MonacoApi.editor.IStandaloneCodeEditor | null = null;
    let model: MonacoApi.editor.ITextModel | null = null;
    void loadMonaco().then((monaco) => {
      if (disposed || !container.current) return;
      // The language, the wrapping and the label are set by the effects below, and follow the props.
      model = monaco.editor.createModel('', 'plaintext', monaco.Uri.parse(`inmemory://readonly/${encodeURIComponent(id)}`));
      const instance = monaco.editor.create(container.current, {
        model,
        readOnly: true,
        domReadOnly: true,
        automaticLayout: true,
        minimap: { enabled: false },
        fontSize: 12,
        lineHeight: 17,
        fontFamily: MONO_FONT,
        scrollBeyondLastLine: false,
        renderLineHighlight: 'none',
        tabSize: 8,
      });
      editor = instance;
      // Only rows of the text count: a mouse under the last line points at nothing.
      const rowAt = (e: MonacoApi.editor.IEditorMouseEvent) =>
        e.target.type === monaco.editor.MouseTargetType.CONTENT_TEXT || e.target.type === monaco.editor.MouseTargetType.CONTENT_EMPTY
          ? (e.target.position?.lineNumber ?? null)
          : null;
      instance.onMouseMove((e: MonacoApi.editor.IEditorMouseEvent) => pointers.current.onPointRow?.(rowAt(e)));
      instance.onMouseLeave(() => pointers.current.onPointRow?.(null));
      instance.onMouseDown((e: MonacoApi.editor.IEditorMouseEvent) => {
        const row = rowAt(e);
        if (row !== null && e.event.leftButton) pointers.current.onPickRow?.(row);
      });
      setView({ monaco, editor: instance });
    });
    return () => {
      disposed = true;
      editor?.dispose();
      model?.dispose();
    };
  }, [id]);

  useEffect(() => {
    const model = view?.editor.getModel();
    if (view && model) view.monaco.editor.setModelLanguage(model, language);
  }, [view, language]);

  // A log view is relabelled as another log is picked.
  useEffect(() => {
    view?.editor.updateOptions({ wordWrap: wrap ? 'on' : 'off', ariaLabel: label });
  }, [view, wrap, label]);

  useEffect(() => {
    const model = view?.editor.getModel();
    if (!model || model.getValue() === text) return;
    model.setValue(text);
    if (revealEnd) view!.editor.revealLine(model.getLineCount());
  }, [view, text, revealEnd]);

  // After the text: the lines are its lines. Setting a model's text again drops its decorations, so they follow it.
  useEffect(() => {
    const model = view?.editor.getModel();
    // Marked on the text shown: the effect above has set it.
    if (!view || !model || model.getValue() !== text) return;
    const { monaco, editor } = view;
    const key = `${model.getVersionId()} ${JSON.stringify(errors)}`;
    if (marked.current === key) return;
    marked.current = key;
    const inText = errors.filter((e) => e.line >= 1 && e.line <= model.getLineCount());
    monaco.editor.setModelMarkers(
      model,
      'readonly',
      inText.map((e) => ({
        severity: toMarkerSeverity(e.severity, monaco),
        message: e.message,
        source: e.source,
        startLineNumber: e.line,
        startColumn: Math.max(1, e.column),
        endLineNumber: e.endLine ?? e.line,
        endColumn: e.endColumn ?? model.getLineMaxColumn(e.line),
      })),
    );
    decorations.current = model.deltaDecorations(
      decorations.current,
      inText.map((e) => ({
        range: new monaco.Range(e.line, 1, e.line, 1),
        options: {
          isWholeLine: true,
          className: ERROR_LINE,
          linesDecorationsClassName: 'verifier-line-gutter',
          overviewRuler: { color: '#e51400', position: monaco.editor.OverviewRulerLane.Full },
        },
      })),
    );
    if (inText[0]) editor.revealLineInCenter(inText[0].line);
  }, [view, text, errors]);

  // After the text, like the errors: setting a text drops its decorations.
  useEffect(() => {
    const model = view?.editor.getModel();
    if (!view || !model || model.getValue() !== text) return;
    const rows = linkedRows.filter((row) => row >= 1 && row <= model.getLineCount());
    linkDecorations.current = model.deltaDecorations(
      linkDecorations.current,
      rows.map((row) => ({
        range: new view.monaco.Range(row, 1, row, 1),
        options: {
          isWholeLine: true,
          className: LINKED_ROW,
          linesDecorationsClassName: 'source-link-gutter',
          overviewRuler: { color: '#3794ff', position: view.monaco.editor.OverviewRulerLane.Full },
        },
      })),
    );
    if (revealLinked && rows[0] !== undefined) view.editor.revealLineInCenterIfOutsideViewport(rows[0]);
  }, [view, text, linkedRows, revealLinked]);

  useEffect(() => {
    view?.monaco.editor.setTheme(monacoTheme(scheme));
  }, [view, scheme]);

  useEffect(() => {
    if (!testId || !view) return;
    return registerReadOnlyView(testId, {
      text: () => view.editor.getModel()?.getValue() ?? '',
      markedLines: () =>
        (view.editor.getModel()?.getAllDecorations() ?? [])
          .filter((d: MonacoApi.editor.IModelDecoration) => d.options.className === ERROR_LINE)
          .map((d: MonacoApi.editor.IModelDecoration) => d.range.startLineNumber),
      linkedRows: () =>
        (view.editor.getModel()?.getAllDecorations() ?? [])
          .filter((d: MonacoApi.editor.IModelDecoration) => d.options.className === LINKED_ROW)
          .map((d: MonacoApi.editor.IModelDecoration) => d.range.startLineNumber),
    });
  }, [testId, view]);

  return (
    <div className={styles.readonlyCode} data-testid={testId} data-text-length={text.length}>
      <div ref={container} className={styles.codeEditorSurface} />
    </div>
  );
}
