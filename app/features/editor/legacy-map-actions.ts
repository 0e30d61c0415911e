import type * as MonacoApi from 'monaco-editor';
import { convertLegacyMaps, findLegacyMaps, type LegacyMap, type SourceEdit } from './legacy-maps.ts';
import type { Monaco } from './monaco.ts';

/** The quick fix's title, in the lightbulb menu. */
export const CONVERT_TITLE = 'Convert to a BTF-defined map';

/** Diagnostics about a legacy map (clang's, or the server's sentence for it) are the ones a conversion fixes. */
export function isLegacyMapProblem(message: string): boolean {
  return /bpf_map_def/.test(message);
}

/** The converter's offsets as Monaco's edits on a model. */
export function toModelEdits(model: MonacoApi.editor.ITextModel, edits: SourceEdit[]): { range: MonacoApi.IRange; text: string }[] {
  return edits.map((edit) => {
    const from = model.getPositionAt(edit.start);
    const to = model.getPositionAt(edit.end);
    return { range: { startLineNumber: from.lineNumber, startColumn: from.column, endLineNumber: to.lineNumber, endColumn: to.column }, text: edit.text };
  });
}

/**
 * The lightbulb on a legacy map's lines: convert that map, or all of the
 * file's; a map that cannot be converted gets the action disabled, with
 * the reason as its tooltip. Only the editor's own files (not the read-only
 * views) get it.
 */
export function registerLegacyMapActions(monaco: Monaco): void {
  monaco.languages.registerCodeActionProvider(
    'c',
    {
      provideCodeActions(model: MonacoApi.editor.ITextModel, range: MonacoApi.Range, context: MonacoApi.languages.CodeActionContext) {
        if (!model.uri.toString().startsWith('inmemory://playground/')) return { actions: [], dispose() {} };
        const source = model.getValue();
        const maps = findLegacyMaps(source);
        const here = maps.filter((m) => m.line <= range.endLineNumber && m.endLine >= range.startLineNumber);
        if (here.length === 0) return { actions: [], dispose() {} };
        const markers = context.markers.filter((m) => isLegacyMapProblem(m.message));
        const action = (title: string, chosen: (map: LegacyMap) => boolean, isPreferred: boolean): MonacoApi.languages.CodeAction => ({
          title,
          kind: 'quickfix',
          isPreferred,
          diagnostics: markers,
          edit: {
            edits: toModelEdits(model, convertLegacyMaps(source, chosen).edits).map((textEdit) => ({
              resource: model.uri,
              versionId: model.getVersionId(),
              textEdit,
            })),
          },
        });
        const actions: MonacoApi.languages.CodeAction[] = here.map((map) =>
          map.ok
            ? action(here.length > 1 ? `${CONVERT_TITLE}: ${map.name}` : CONVERT_TITLE, (m) => m.start === map.start, true)
            : { title: CONVERT_TITLE, kind: 'quickfix', disabled: map.reason },
        );
        const convertible = maps.filter((m) => m.ok).length;
        if (convertible > 1) actions.push(action(`Convert all ${convertible} legacy maps in this file to BTF-defined maps`, () => true, false));
        return { actions, dispose() {} };
      },
    },
    { providedCodeActionKinds: ['quickfix'] },
  );
}
