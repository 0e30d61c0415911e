import { useCallback, useEffect, useMemo, useRef, type RefObject } from 'react';
import type { Diagnostic } from '../../../protocol/messages.ts';
import { fileOfDiagnostic, type EditorHandle } from '../editor/CodeEditor.tsx';
import type { RunView } from '../run/run-view.ts';
import type { Workspace, WorkspaceActions } from '../workspace/use-workspace.ts';
import { verifierDiagnostic } from './verifier-log.ts';

export interface VerifierStop {
  /** The run's diagnostics, with the verifier's line added when the server could not map it. */
  diagnostics: Diagnostic[];
  /** Where the verifier stopped (an error), and the editor's file it is in. */
  stop: { diagnostic: Diagnostic; file: string } | null;
  /** Opens a file's tab and puts the line in view, with the focus in the editor. */
  goToLine(file: string, line: number): void;
  /** The same, leaving the focus where it is (the stepper's keys keep stepping). */
  showLine(file: string, line: number): void;
}

/**
 * A verifier rejection points at a line: the server maps it to the source;
 * when it could not, the page reads the last `; code @ file:line` of the log
 * itself. The rejected line's file opens, the line in view.
 */
export function useVerifierStop(view: RunView, workspace: Workspace, files: WorkspaceActions, editorRef: RefObject<EditorHandle | null>): VerifierStop {
  const diagnostics = useMemo(() => {
    const log = view.loaded && !view.loaded.ok ? view.loaded.verifierLog : null;
    if (!log || view.diagnostics.some((d) => d.source === 'verifier')) return view.diagnostics;
    const found = verifierDiagnostic(log);
    return found ? [...view.diagnostics, found] : view.diagnostics;
  }, [view.diagnostics, view.loaded]);
  const names = workspace.files.map((f) => f.name);
  const diagnostic = diagnostics.find((d) => d.source === 'verifier' && d.severity === 'error') ?? null;
  const file = diagnostic ? fileOfDiagnostic(diagnostic, names) : null;

  // The focus stays where it was: the user may be typing elsewhere when the rejection arrives.
  const revealed = useRef<string | null>(null);
  useEffect(() => {
    if (!diagnostic || !file || view.runId === null) return;
    const key = `${view.runId}:${file}:${diagnostic.line}`;
    if (revealed.current === key) return;
    revealed.current = key;
    files.setActiveFile(file);
    editorRef.current?.reveal(file, diagnostic.line, 1, false);
  }, [diagnostic, file, view.runId, files, editorRef]);

  const revealLine = useCallback(
    (target: string, line: number, focus: boolean) => {
      const name = fileOfDiagnostic(
        { file: target },
        workspace.files.map((f) => f.name),
      );
      if (!name) return;
      files.setActiveFile(name);
      editorRef.current?.reveal(name, line, 1, focus);
    },
    [workspace.files, files, editorRef],
  );
  const goToLine = useCallback((target: string, line: number) => revealLine(target, line, true), [revealLine]);
  const showLine = useCallback((target: string, line: number) => revealLine(target, line, false), [revealLine]);

  const stop = useMemo(() => (diagnostic && file ? { diagnostic, file } : null), [diagnostic, file]);
  return { diagnostics, stop, goToLine, showLine };
}
