import { useEffect, useRef, useState, useSyncExternalStore, type RefObject } from 'react';
import type { RequestId, SourceBlock, SourceFile } from '../../../protocol/messages.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import type { EditorHandle } from '../editor/CodeEditor.tsx';
import { SourceLinks, type LinkedLine } from './source-links.ts';

/** Which C line each row of a run's code views came from. */
export interface CodeLines {
  runId: RequestId;
  disassembly: SourceBlock[];
  /** The translated code's, by program name. */
  xlated: Record<string, SourceBlock[]>;
}

/**
 * The line maps of the latest run whose inspection or loaded code arrived,
 * read from the run's messages here: Inspect may be closed when they come,
 * and they matter only to it.
 */
export function useCodeLines({ client }: ClientHandle): CodeLines | null {
  const [lines, setLines] = useState<CodeLines | null>(null);
  useEffect(() => {
    if (!client) return;
    return client.on('run_message', (message) => {
      if (message.type !== 'inspect' && message.type !== 'loaded_code') return;
      setLines((current) => {
        const base = current?.runId === message.runId ? current : { runId: message.runId, disassembly: [], xlated: {} };
        if (message.type === 'inspect') return { ...base, disassembly: message.disassemblyLines ?? [] };
        return { ...base, xlated: Object.fromEntries(message.programs.map((p) => [p.name, p.xlatedLines ?? []])) };
      });
    });
  }, [client]);
  return lines;
}

/**
 * The page's one SourceLinks: an instruction's C line lit in the editor while
 * a code view's row is under the mouse, and shown (its file's tab opened) on a click.
 */
export function useSourceLinks(editorRef: RefObject<EditorHandle | null>, files: SourceFile[], openFile: (file: string) => void): SourceLinks {
  const current = useRef({ files, openFile });
  current.current = { files, openFile };
  const [links] = useState(
    () =>
      new SourceLinks((at) => {
        // A header of the toolchain's (bpf_helpers.h) is not in the editor.
        if (!current.current.files.some((f) => f.name === at.file)) return;
        current.current.openFile(at.file);
        // The focus stays on the instruction clicked; the editor's cursor goes to its line.
        editorRef.current?.reveal(at.file, at.line, 1, false);
      }),
  );
  useEffect(
    () =>
      links.subscribe(() => {
        const linked = links.linked;
        editorRef.current?.showLinkedLine(linked?.from === 'code' ? linked : null);
      }),
    [links, editorRef],
  );
  return links;
}

/** The linked C line, for a view that draws it: only that view draws again when it changes. */
export function useLinkedLine(links: SourceLinks): LinkedLine | null {
  return useSyncExternalStore(
    links.subscribe,
    () => links.linked,
    () => null,
  );
}
