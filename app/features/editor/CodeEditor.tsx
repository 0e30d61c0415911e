'use client';

import { useEffect, useRef, useState, type RefObject } from 'react';
import type * as MonacoApi from 'monaco-editor';
import type { Diagnostic, SourceFile } from '../../../protocol/messages.ts';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import { MONO_FONT, languageFor, loadMonaco, modelUri, monacoTheme, toMarkerSeverity, type Monaco } from './monaco.ts';
import { chartState, readOnlyLinkedRows, readOnlyMarkedLines, readOnlyText, type PlaygroundTestHook } from '../../common/test-hook.ts';
import { toModelEdits } from './legacy-map-actions.ts';
import type { SourceEdit } from './legacy-maps.ts';
import styles from './editor.module.css';

export interface EditorHandle {
  /** Shows a file at a line and column and puts the cursor there (and the focus, unless told not to). */
  reveal(file: string, line: number, column: number, focus?: boolean): void;
  focus(): void;
  /**
   * Makes the edits (computed from the file's current text) as one step of
   * its undo history, shows the file at the first and puts the focus there,
   * so Ctrl+Z undoes them at once. False when there is no such file or nothing to change.
   */
  edit(file: string, editsFor: (text: string) => SourceEdit[]): boolean;
  /** Lights one line (an instruction's C line, from Inspect), or none; the line lit before goes dark. */
  showLinkedLine(at: { file: string; line: number } | null): void;
}

interface CodeEditorProps {
  files: SourceFile[];
  activeFile: string | null;
  diagnostics: Diagnostic[];
  /** What to change where the verifier stopped: shown when hovering the highlighted line. */
  verifierHint: string | null;
  scheme: ColorScheme;
  onChange(file: string, content: string): void;
  onRun(): void;
  onSave(): void;
  /** The line under the mouse (null when it leaves) or the cursor's line, for Inspect to light its instructions. */
  onPointAt?(at: { file: string; line: number } | null, how: 'hover' | 'cursor'): void;
  handleRef: RefObject<EditorHandle | null>;
}

/** The class of the whole-line highlight where the verifier stopped (globals.css: Monaco sets it itself, so it stays global). */
const VERIFIER_LINE = 'verifier-line';
/** The class of the line whose instructions are under the mouse in Inspect (globals.css). */
const LINKED_LINE = 'source-link-line';

type Editor = MonacoApi.editor.IStandaloneCodeEditor;

/** Which editor file a diagnostic is about: its name, or a path ending in it. */
export function fileOfDiagnostic(diagnostic: Pick<Diagnostic, 'file'>, names: string[]): string | null {
  if (names.includes(diagnostic.file)) return diagnostic.file;
  const base = diagnostic.file.split('/').pop() ?? '';
  return names.find((name) => name === base) ?? null;
}

/**
 * The BPF C editor: one Monaco editor, one model per file (kept while the
 * file exists, so undo history and markers survive switching tabs). The
 * files prop is the source of truth; typing flows back through onChange.
 */
export function CodeEditor({ files, activeFile, diagnostics, verifierHint, scheme, onChange, onRun, onSave, onPointAt, handleRef }: CodeEditorProps) {
  const container = useRef<HTMLDivElement>(null);
  const [monaco, setMonaco] = useState<Monaco | null>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const callbacks = useRef({ onChange, onRun, onSave, onPointAt });
  callbacks.current = { onChange, onRun, onSave, onPointAt };
  const filesRef = useRef(files);
  filesRef.current = files;
  const viewStates = useRef(new Map<string, MonacoApi.editor.ICodeEditorViewState | null>());
  /** Decoration ids per file, so the next run's highlights replace this run's. */
  const decorations = useRef(new Map<string, string[]>());
  const shownFile = useRef<string | null>(null);
  const linkedLine = useRef<{ model: MonacoApi.editor.ITextModel; ids: string[] } | null>(null);

  // Create the editor once Monaco is loaded; dispose it (and its models) on unmount.
  useEffect(() => {
    let disposed = false;
    let created: Editor | null = null;
    let loadedMonaco: Monaco | null = null;
    loadMonaco().then(
      (loaded) => {
        if (disposed || !container.current) return;
        loadedMonaco = loaded;
        const instance = loaded.editor.create(container.current, {
          model: null,
          automaticLayout: true,
          minimap: { enabled: false },
          fontSize: 13,
          lineHeight: 19,
          fontFamily: MONO_FONT,
          // Kernel C style: tabs, eight columns wide.
          tabSize: 8,
          insertSpaces: false,
          detectIndentation: false,
          scrollBeyondLastLine: false,
          renderLineHighlight: 'line',
          fixedOverflowWidgets: true,
          ariaLabel: 'BPF C source',
          padding: { top: 6 },
        });
        created = instance;
        instance.addAction({
          id: 'playground.run',
          label: 'Run the program',
          keybindings: [loaded.KeyMod.CtrlCmd | loaded.KeyCode.Enter],
          run: () => callbacks.current.onRun(),
        });
        instance.addAction({
          id: 'playground.save',
          label: 'Save the files in this browser',
          keybindings: [loaded.KeyMod.CtrlCmd | loaded.KeyCode.KeyS],
          run: () => callbacks.current.onSave(),
        });
        const lineAt = (line: number | undefined) => {
          const model = instance.getModel();
          return model && line ? { file: nameOf(model), line } : null;
        };
        instance.onMouseMove((e: MonacoApi.editor.IEditorMouseEvent) => callbacks.current.onPointAt?.(lineAt(e.target.position?.lineNumber), 'hover'));
        instance.onMouseLeave(() => callbacks.current.onPointAt?.(null, 'hover'));
        instance.onDidChangeCursorPosition((e: MonacoApi.editor.ICursorPositionChangedEvent) =>
          callbacks.current.onPointAt?.(lineAt(e.position.lineNumber), 'cursor'),
        );
        setMonaco(loaded);
        setEditor(instance);
      },
      (error: unknown) => {
        if (!disposed) setLoadError(error instanceof Error ? error.message : String(error));
      },
    );
    return () => {
      disposed = true;
      created?.dispose();
      for (const model of loadedMonaco?.editor.getModels().filter(isOurs) ?? []) model.dispose();
    };
  }, []);

  // Models follow the files: created, updated when changed from outside (an example, the test hook), disposed.
  useEffect(() => {
    if (!monaco) return;
    const wanted = new Set(files.map((f) => modelUri(monaco, f.name).toString()));
    for (const file of files) {
      const uri = modelUri(monaco, file.name);
      let model = monaco.editor.getModel(uri);
      if (!model) {
        model = monaco.editor.createModel(file.content, languageFor(file.name), uri);
        model.setEOL(monaco.editor.EndOfLineSequence.LF);
        const name = file.name;
        const created = model;
        created.onDidChangeContent(() => callbacks.current.onChange(name, created.getValue()));
      } else if (model.getValue() !== file.content) {
        // An edit operation keeps the change undoable, unlike setValue.
        model.pushEditOperations([], [{ range: model.getFullModelRange(), text: file.content }], () => null);
      }
    }
    for (const model of monaco.editor.getModels()) {
      const uri = model.uri.toString();
      if (uri.startsWith('inmemory://playground/') && !wanted.has(uri)) {
        viewStates.current.delete(nameOf(model));
        decorations.current.delete(nameOf(model));
        model.dispose();
      }
    }
  }, [monaco, files]);

  // The active file's model is the one shown; each file keeps its scroll and cursor.
  // New files (an example picked) may have replaced the active file's model under the same name.
  useEffect(() => {
    if (!monaco || !editor) return;
    const model = activeFile && files.some((f) => f.name === activeFile) ? monaco.editor.getModel(modelUri(monaco, activeFile)) : null;
    if (editor.getModel() === model) return;
    if (shownFile.current) viewStates.current.set(shownFile.current, editor.saveViewState());
    editor.setModel(model);
    shownFile.current = activeFile;
    const state = activeFile ? viewStates.current.get(activeFile) : null;
    if (state) editor.restoreViewState(state);
  }, [monaco, editor, activeFile, files]);

  // Diagnostics become markers on their file's model.
  useEffect(() => {
    if (!monaco) return;
    const names = files.map((f) => f.name);
    for (const name of names) {
      const model = monaco.editor.getModel(modelUri(monaco, name));
      if (!model) continue;
      const markers = diagnostics
        .filter((d) => fileOfDiagnostic(d, names) === name)
        .map((d) => ({
          severity: toMarkerSeverity(d.severity, monaco),
          message: d.message,
          source: d.source,
          startLineNumber: Math.max(1, d.line),
          startColumn: Math.max(1, d.column),
          endLineNumber: Math.max(1, d.endLine ?? d.line),
          // Without an end, mark the word at the column (or at least one character).
          endColumn: d.endColumn ?? wordEnd(model, Math.max(1, d.line), Math.max(1, d.column)),
        }));
      monaco.editor.setModelMarkers(model, 'playground', markers);
      // Where the verifier stopped gets the whole line lit, in the gutter and the scrollbar too.
      const stops = diagnostics
        .filter(
          (d) => d.source === 'verifier' && d.severity === 'error' && fileOfDiagnostic(d, names) === name && d.line >= 1 && d.line <= model.getLineCount(),
        )
        .map((d) => ({
          range: new monaco.Range(d.line, 1, d.line, 1),
          options: {
            isWholeLine: true,
            className: VERIFIER_LINE,
            linesDecorationsClassName: 'verifier-line-gutter',
            overviewRuler: { color: '#e51400', position: monaco.editor.OverviewRulerLane.Full },
            hoverMessage: [{ value: '**The verifier stopped here.**' }, ...(verifierHint ? [{ value: verifierHint }] : [])],
            stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
          },
        }));
      decorations.current.set(name, model.deltaDecorations(decorations.current.get(name) ?? [], stops));
    }
  }, [monaco, files, diagnostics, verifierHint]);

  useEffect(() => {
    monaco?.editor.setTheme(monacoTheme(scheme));
  }, [monaco, scheme]);

  // The imperative handle (jump to a problem) and the e2e test hook.
  useEffect(() => {
    if (!monaco || !editor) return;
    const reveal: EditorHandle['reveal'] = (file, line, column, focus = true) => {
      const model = monaco.editor.getModel(modelUri(monaco, file));
      if (!model) return;
      if (editor.getModel() !== model) {
        if (shownFile.current) viewStates.current.set(shownFile.current, editor.saveViewState());
        editor.setModel(model);
        shownFile.current = file;
      }
      const position = { lineNumber: Math.max(1, line), column: Math.max(1, column) };
      editor.setPosition(position);
      editor.revealPositionInCenter(position);
      if (focus) editor.focus();
    };
    handleRef.current = {
      reveal,
      focus: () => editor.focus(),
      edit(file, editsFor) {
        const model = monaco.editor.getModel(modelUri(monaco, file));
        const edits = model ? editsFor(model.getValue()) : [];
        if (!model || edits.length === 0) return false;
        const operations = toModelEdits(model, edits);
        // Stack elements on both sides keep the edits one undo step, apart from typing before and after.
        model.pushStackElement();
        model.pushEditOperations(editor.getModel() === model ? editor.getSelections() : [], operations, () => null);
        model.pushStackElement();
        const first = model.getPositionAt(edits[0]!.start);
        reveal(file, first.lineNumber, first.column);
        return true;
      },
      showLinkedLine(at) {
        const lit = linkedLine.current;
        if (lit && !lit.model.isDisposed()) lit.model.deltaDecorations(lit.ids, []);
        linkedLine.current = null;
        const model = at ? monaco.editor.getModel(modelUri(monaco, at.file)) : null;
        if (!at || !model || at.line < 1 || at.line > model.getLineCount()) return;
        const options = {
          isWholeLine: true,
          className: LINKED_LINE,
          linesDecorationsClassName: 'source-link-gutter',
          overviewRuler: { color: '#3794ff', position: monaco.editor.OverviewRulerLane.Full },
        };
        linkedLine.current = { model, ids: model.deltaDecorations([], [{ range: new monaco.Range(at.line, 1, at.line, 1), options }]) };
      },
    };
    const hook: PlaygroundTestHook = {
      files: () => filesRef.current.map((f) => f.name),
      getSource: (file) => monaco.editor.getModel(modelUri(monaco, file))?.getValue() ?? null,
      setSource(file, text) {
        const model = monaco.editor.getModel(modelUri(monaco, file));
        if (!model) return false;
        model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
        return true;
      },
      activeFile: () => {
        const model = editor.getModel();
        return model ? nameOf(model) : null;
      },
      cursor: () => {
        const position = editor.getPosition();
        return position ? { line: position.lineNumber, column: position.column } : null;
      },
      markers: (file) =>
        monaco.editor
          .getModelMarkers({ resource: modelUri(monaco, file), owner: 'playground' })
          .map((m: MonacoApi.editor.IMarker) => ({ line: m.startLineNumber, column: m.startColumn, severity: m.severity, message: m.message })),
      highlightedLines: (file) =>
        (monaco.editor.getModel(modelUri(monaco, file))?.getAllDecorations() ?? [])
          .filter((d: MonacoApi.editor.IModelDecoration) => d.options.className === VERIFIER_LINE)
          .map((d: MonacoApi.editor.IModelDecoration) => d.range.startLineNumber),
      linkedLines: (file) =>
        (monaco.editor.getModel(modelUri(monaco, file))?.getAllDecorations() ?? [])
          .filter((d: MonacoApi.editor.IModelDecoration) => d.options.className === LINKED_LINE)
          .map((d: MonacoApi.editor.IModelDecoration) => d.range.startLineNumber),
      readOnlyText,
      readOnlyLinkedRows,
      readOnlyMarkedLines,
      chart: chartState,
    };
    window.__playground = hook;
    return () => {
      handleRef.current = null;
      if (window.__playground === hook) delete window.__playground;
    };
  }, [monaco, editor, handleRef]);

  return (
    <div className={styles.codeEditor} data-testid="code-editor">
      <div ref={container} className={styles.codeEditorSurface} />
      {!editor && (
        <div className={styles.codeEditorPlaceholder} role="status">
          {loadError ? `The editor could not load (${loadError}). Reload the page to try again.` : 'Loading the editor…'}
        </div>
      )}
    </div>
  );
}

function isOurs(model: MonacoApi.editor.ITextModel): boolean {
  return model.uri.toString().startsWith('inmemory://playground/');
}

function nameOf(model: MonacoApi.editor.ITextModel): string {
  return decodeURIComponent(model.uri.path.slice(1));
}

function wordEnd(model: MonacoApi.editor.ITextModel, line: number, column: number): number {
  if (line > model.getLineCount()) return column + 1;
  const word = model.getWordAtPosition({ lineNumber: line, column });
  return word && word.endColumn > column ? word.endColumn : Math.min(column + 1, model.getLineMaxColumn(line));
}
