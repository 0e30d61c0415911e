'use client';

import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { Diagnostic, SourceFile } from '../../protocol/messages.ts';
import type { ColorScheme } from '../hooks/use-color-scheme.ts';
import { CodeEditor, fileOfDiagnostic, type EditorHandle } from './CodeEditor.tsx';
import { ProblemsList } from './ProblemsList.tsx';

interface EditorPaneProps {
  files: SourceFile[];
  activeFile: string | null;
  /** Files changed since the last save (a dot on their tab). */
  modified: Set<string>;
  diagnostics: Diagnostic[];
  scheme: ColorScheme;
  onChange(file: string, content: string): void;
  onActivate(file: string): void;
  onRun(): void;
  onSave(): void;
  editorRef: RefObject<EditorHandle | null>;
}

/** File tabs, the editor, and the problems list under it. */
export function EditorPane({ files, activeFile, modified, diagnostics, scheme, onChange, onActivate, onRun, onSave, editorRef }: EditorPaneProps) {
  const [problemsOpen, setProblemsOpen] = useState(true);
  const names = files.map((f) => f.name);
  const namesKey = names.join('\n');
  const fileOf = useCallback((d: Diagnostic) => fileOfDiagnostic(d, namesKey.split('\n')), [namesKey]);
  const tabs = useRef<HTMLDivElement>(null);

  // New errors open the list: they are why the run stopped.
  useEffect(() => {
    if (diagnostics.some((d) => d.severity === 'error')) setProblemsOpen(true);
  }, [diagnostics]);

  const select = (file: string, line: number, column: number) => {
    onActivate(file);
    editorRef.current?.reveal(file, line, column);
  };

  const errorsIn = (name: string) => diagnostics.some((d) => d.severity === 'error' && fileOf(d) === name);

  return (
    <section className="editor-pane" aria-label="Editor">
      <div ref={tabs} className="file-tabs" role="tablist" aria-label="Files">
        {files.map((file) => (
          <button
            key={file.name}
            type="button"
            role="tab"
            aria-selected={file.name === activeFile}
            className={`file-tab ${errorsIn(file.name) ? 'has-errors' : ''}`}
            onClick={() => onActivate(file.name)}
            title={modified.has(file.name) ? `${file.name} (unsaved changes)` : file.name}
          >
            {file.name}
            {modified.has(file.name) && (
              <span className="modified-dot" aria-label="unsaved">
                ●
              </span>
            )}
          </button>
        ))}
      </div>
      <CodeEditor files={files} activeFile={activeFile} diagnostics={diagnostics} scheme={scheme} onChange={onChange} onRun={onRun} onSave={onSave} handleRef={editorRef} />
      <ProblemsList diagnostics={diagnostics} fileOf={fileOf} open={problemsOpen} onToggle={() => setProblemsOpen(!problemsOpen)} onSelect={select} />
    </section>
  );
}
