import { useEffect, useRef, useState, useSyncExternalStore, type RefObject } from 'react';
import type { SourceFile } from '../../../protocol/messages.ts';
import type { EditorHandle } from '../editor/CodeEditor.tsx';
import { SourceLinks, type LinkedLine } from './source-links.ts';

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
