'use client';

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { MAX_SOURCE_FILES, type Capability, type Diagnostic, type SourceFile } from '../../../protocol/messages.ts';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import { capabilityWarnings } from '../kernels/capabilities.ts';
import { canDelete, fileNameProblem, headerTemplate, suggestHeaderName } from './file-names.ts';
import { CodeEditor, fileOfDiagnostic, type EditorHandle } from './CodeEditor.tsx';
import { ProblemsList } from './ProblemsList.tsx';
import { useLegacyMapFixes } from './use-legacy-map-fixes.ts';
import styles from './editor.module.css';
import ui from '../../common/ui.module.css';

interface EditorPaneProps {
  files: SourceFile[];
  activeFile: string | null;
  /** Files changed since the last save (a dot on their tab). */
  modified: Set<string>;
  diagnostics: Diagnostic[];
  verifierHint: string | null;
  /** What this host loads and attaches: SEC()s of kinds that do not work get a warning before Run. */
  capabilities: Capability[];
  scheme: ColorScheme;
  onChange(file: string, content: string): void;
  onActivate(file: string): void;
  onAdd(name: string, content: string): void;
  onRename(from: string, to: string): void;
  onDelete(name: string): void;
  onRun(): void;
  onSave(): void;
  /** The C line under the mouse or the cursor (Inspect lights its instructions). */
  onPointAt?(at: { file: string; line: number } | null, how: 'hover' | 'cursor'): void;
  editorRef: RefObject<EditorHandle | null>;
  /** Settings the programs need before Run (the attach settings), shown above the editor. */
  settingsBar?: ReactNode;
}

/** The server takes at most this many files in a run (protocol: run.files). */

/** Which name field is open: a new file's, or a rename of one. */
type Naming = { kind: 'add' } | { kind: 'rename'; file: string };

/** File tabs (add, rename, delete), host warnings, the editor, and the problems list under it. */
export function EditorPane(props: EditorPaneProps) {
  const { files, activeFile, modified, diagnostics, scheme, editorRef } = props;
  const [problemsOpen, setProblemsOpen] = useState(true);
  const names = files.map((f) => f.name);
  const namesKey = names.join('\n');
  const fileOf = useCallback((d: Diagnostic) => fileOfDiagnostic(d, namesKey.split('\n')), [namesKey]);
  const [naming, setNaming] = useState<Naming | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);

  // New errors open the list: they are why the run stopped.
  useEffect(() => {
    if (diagnostics.some((d) => d.severity === 'error')) setProblemsOpen(true);
  }, [diagnostics]);

  const legacyMapFixes = useLegacyMapFixes(files, fileOf, props.onActivate, editorRef);
  const warnings = useMemo(() => capabilityWarnings(files, props.capabilities), [files, props.capabilities]);

  const select = (file: string, line: number, column: number) => {
    props.onActivate(file);
    editorRef.current?.reveal(file, line, column);
  };

  const errorsIn = (name: string) => diagnostics.some((d) => d.severity === 'error' && fileOf(d) === name);

  const closeNaming = () => {
    setNaming(null);
    setNameError(null);
  };

  /** Commits the name field; keeps it open with the reason when the name cannot be used. */
  const commitName = (value: string, cancelIfInvalid: boolean) => {
    if (!naming) return;
    const name = value.trim();
    const replacing = naming.kind === 'rename' ? naming.file : null;
    if (replacing === name) return closeNaming();
    const problem = fileNameProblem(name, names, replacing);
    if (problem) {
      if (cancelIfInvalid) closeNaming();
      else setNameError(problem);
      return;
    }
    if (naming.kind === 'add') props.onAdd(name, name.endsWith('.h') ? headerTemplate(name) : '');
    else props.onRename(naming.file, name);
    closeNaming();
  };

  const onTabKey = (event: KeyboardEvent, file: string) => {
    if (event.key === 'F2') {
      event.preventDefault();
      setNaming({ kind: 'rename', file });
    } else if (event.key === 'Delete' && canDelete(file, names)) {
      event.preventDefault();
      props.onDelete(file);
    }
  };

  return (
    <section className={styles.editorPane} aria-label="Editor">
      <div className={styles.fileTabs}>
        <div className={styles.fileTabList} role="tablist" aria-label="Files">
          {files.map((file) =>
            naming?.kind === 'rename' && naming.file === file.name ? (
              <NameField
                key={file.name}
                label={`New name for ${file.name}`}
                initial={file.name}
                onCommit={commitName}
                onCancel={closeNaming}
                invalid={!!nameError}
              />
            ) : (
              <div key={file.name} role="presentation" className={`${styles.fileTabWrap} ${file.name === activeFile ? styles.active : ''}`}>
                <button
                  type="button"
                  role="tab"
                  aria-selected={file.name === activeFile}
                  className={`${styles.fileTab} ${errorsIn(file.name) ? styles.hasErrors : ''}`}
                  onClick={() => props.onActivate(file.name)}
                  onDoubleClick={() => setNaming({ kind: 'rename', file: file.name })}
                  onKeyDown={(e) => onTabKey(e, file.name)}
                  aria-keyshortcuts="F2 Delete"
                  title={`${file.name}${modified.has(file.name) ? ' (unsaved changes)' : ''}: double-click or F2 to rename`}
                >
                  {file.name}
                  {modified.has(file.name) && (
                    <span className={styles.modifiedDot} role="img" aria-label="unsaved">
                      ●
                    </span>
                  )}
                </button>
                {file.name === activeFile && (
                  <button
                    type="button"
                    className={styles.fileTabAction}
                    tabIndex={-1}
                    aria-label={`Rename ${file.name}`}
                    title="Rename (F2)"
                    onClick={() => setNaming({ kind: 'rename', file: file.name })}
                  >
                    ✎
                  </button>
                )}
                {canDelete(file.name, names) && (
                  <button
                    type="button"
                    className={styles.fileTabAction}
                    tabIndex={-1}
                    aria-label={`Delete ${file.name}`}
                    title="Delete this file (Delete)"
                    onClick={() => props.onDelete(file.name)}
                  >
                    ×
                  </button>
                )}
              </div>
            ),
          )}
        </div>
        {naming?.kind === 'add' ? (
          <NameField label="New file name" initial={suggestHeaderName(names)} onCommit={commitName} onCancel={closeNaming} invalid={!!nameError} />
        ) : (
          <button
            type="button"
            className={styles.fileAdd}
            aria-label="Add a file"
            title={files.length >= MAX_SOURCE_FILES ? `A run takes at most ${MAX_SOURCE_FILES} files` : 'Add a header (.h) to #include from the program'}
            disabled={files.length >= MAX_SOURCE_FILES}
            onClick={() => setNaming({ kind: 'add' })}
          >
            +
          </button>
        )}
      </div>
      {nameError && (
        <p className={styles.fileNameError} role="alert">
          {nameError}
        </p>
      )}
      {warnings.length > 0 && (
        <div className={styles.capabilityWarnings} data-testid="capability-warning">
          {warnings.slice(0, 3).map((w) => (
            <p key={`${w.file}:${w.line}:${w.section}`}>
              <span className={styles.capabilityWarningIcon} aria-hidden="true">
                ⚠
              </span>
              <button
                type="button"
                className={`${styles.linkButton} ${ui.linkButton}`}
                onClick={() => select(w.file, w.line, 1)}
                title={`Go to ${w.file}:${w.line}`}
              >
                SEC(&quot;{w.section}&quot;)
              </button>{' '}
              will not run here: {w.note}
            </p>
          ))}
        </div>
      )}
      {props.settingsBar}
      <CodeEditor
        files={files}
        activeFile={activeFile}
        diagnostics={diagnostics}
        verifierHint={props.verifierHint}
        scheme={scheme}
        onChange={props.onChange}
        onRun={props.onRun}
        onSave={props.onSave}
        onPointAt={props.onPointAt}
        handleRef={editorRef}
      />
      <ProblemsList
        diagnostics={diagnostics}
        fileOf={fileOf}
        open={problemsOpen}
        onToggle={() => setProblemsOpen(!problemsOpen)}
        onSelect={select}
        fixFor={legacyMapFixes.fixFor}
        note={legacyMapFixes.note}
      />
    </section>
  );
}

interface NameFieldProps {
  label: string;
  initial: string;
  invalid: boolean;
  onCommit(value: string, cancelIfInvalid: boolean): void;
  onCancel(): void;
}

/** An inline file name box: Enter keeps it, Esc drops it, leaving it keeps a good name and drops a bad one. */
function NameField({ label, initial, invalid, onCommit, onCancel }: NameFieldProps) {
  const ref = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState(initial);
  useEffect(() => {
    const input = ref.current;
    if (!input) return;
    input.focus();
    // The stem is selected, so typing replaces it and keeps the extension.
    const dot = initial.lastIndexOf('.');
    input.setSelectionRange(0, dot > 0 ? dot : initial.length);
  }, [initial]);
  return (
    <input
      ref={ref}
      className={styles.fileNameInput}
      aria-label={label}
      aria-invalid={invalid}
      value={value}
      spellCheck={false}
      size={Math.max(12, value.length + 1)}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          onCommit(value, false);
        } else if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        }
      }}
      onBlur={() => onCommit(value, true)}
    />
  );
}
