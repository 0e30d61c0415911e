'use client';

import { useCallback, useMemo, useState, type RefObject } from 'react';
import type { Diagnostic, SourceFile } from '../../../protocol/messages.ts';
import type { EditorHandle } from './CodeEditor.tsx';
import { isLegacyMapProblem } from './legacy-map-actions.ts';
import { applyEdits, convertLegacyMaps, findLegacyMaps, type LegacyMap } from './legacy-maps.ts';

/** What the problems list offers beside a problem: a one-click fix, or why there is none. */
export type ProblemFix = { kind: 'action'; label: string; detail: string; run(): void } | { kind: 'refused'; reason: string };

interface LegacyMapFixes {
  fixFor(diagnostic: Diagnostic): ProblemFix | null;
  /** What the last conversion did, while the file is as the conversion left it. */
  note: string | null;
}

/**
 * The Convert button of a legacy map's problem: it converts every map of the
 * file that can be, as one undoable edit, and says what it did. The maps are
 * found in the files as they are now, so a problem from before the conversion
 * no longer offers it.
 */
export function useLegacyMapFixes(
  files: SourceFile[],
  fileOf: (d: Diagnostic) => string | null,
  onActivate: (file: string) => void,
  editorRef: RefObject<EditorHandle | null>,
): LegacyMapFixes {
  // The note is kept with the text the conversion made: an edit or an undo hides it (new diagnostics, which
  // the compile ahead brings a moment after the conversion, do not).
  const [note, setNote] = useState<{ text: string; file: string; source: string } | null>(null);
  const legacyMaps = useMemo(() => new Map(files.map((f) => [f.name, findLegacyMaps(f.content)])), [files]);

  const convert = useCallback(
    (file: string) => {
      let conversion = { converted: [] as string[], notes: [] as string[] };
      let source = '';
      onActivate(file);
      const changed = editorRef.current?.edit(file, (text) => {
        const result = convertLegacyMaps(text);
        conversion = result;
        source = applyEdits(text, result.edits);
        return result.edits;
      });
      if (!changed) return;
      const names = conversion.converted;
      const what = names.length === 1 ? `${names[0]} is now a BTF-defined map` : `${names.join(', ')} are now BTF-defined maps`;
      setNote({ text: [`${what} in SEC(".maps"); Ctrl+Z in the editor undoes it.`, ...conversion.notes].join(' '), file, source });
    },
    [onActivate, editorRef],
  );

  const fixFor = useCallback(
    (d: Diagnostic): ProblemFix | null => {
      const file = fileOf(d);
      // clang's note on the same line (where the struct is forward-declared) gets no second button.
      if (!file || d.severity !== 'error' || !isLegacyMapProblem(d.message)) return null;
      const maps = legacyMaps.get(file) ?? [];
      const map = maps.find((m) => m.line <= d.line && d.line <= m.endLine);
      if (!map) return null;
      if (!map.ok) return { kind: 'refused', reason: map.reason };
      const convertible = maps.filter((m): m is LegacyMap & { ok: true } => m.ok);
      return {
        kind: 'action',
        label: convertible.length === 1 ? 'Convert to a BTF map' : `Convert all ${convertible.length} to BTF maps`,
        detail:
          convertible.length === 1
            ? `rewrites ${map.name} as a BTF-defined map in SEC(".maps"); the code using it stays as it is.`
            : `rewrites ${convertible.map((m) => m.name).join(', ')} as BTF-defined maps in SEC(".maps"); the code using them stays as it is.`,
        run: () => convert(file),
      };
    },
    [fileOf, legacyMaps, convert],
  );

  const shown = note && files.some((f) => f.name === note.file && f.content === note.source);
  return { fixFor, note: shown ? note.text : null };
}
