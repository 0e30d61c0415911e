'use client';

import { useEffect, useId, useRef, useState } from 'react';
import type * as MonacoApi from 'monaco-editor';
import type { ColorScheme } from '../../shared/use-color-scheme.ts';
import { MONO_FONT, loadMonaco, monacoTheme, type Monaco } from './monaco.ts';
import { registerReadOnlyView } from '../../shared/test-hook.ts';
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
}

/**
 * A read-only Monaco view (the generated skeleton, verifier logs): search,
 * folding and a scroll that copes with a megabyte of log.
 */
export function ReadOnlyCode({ text, language, scheme, label, testId, revealEnd = false, wrap = language === 'plaintext' }: ReadOnlyCodeProps) {
  const container = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<{ monaco: Monaco; editor: MonacoApi.editor.IStandaloneCodeEditor } | null>(null);
  const id = useId();

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

  useEffect(() => {
    view?.monaco.editor.setTheme(monacoTheme(scheme));
  }, [view, scheme]);

  useEffect(() => {
    if (!testId || !view) return;
    return registerReadOnlyView(testId, () => view.editor.getModel()?.getValue() ?? '');
  }, [testId, view]);

  return (
    <div className={styles.readonlyCode} data-testid={testId} data-text-length={text.length}>
      <div ref={container} className={styles.codeEditorSurface} />
    </div>
  );
}
