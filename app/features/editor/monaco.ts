import { loader, type Monaco } from '@monaco-editor/react';
import type * as MonacoApi from 'monaco-editor';
import { registerLegacyMapActions } from './legacy-map-actions.ts';
import { CODE_SNIPPETS, HELPERS, SECTION_SNIPPETS, helperDoc, helperMarkdown, sectionStart } from './bpf-help.ts';

export type { Monaco };
export { toMarkerSeverity } from './marker-severity.ts';

/**
 * The backend serves Monaco's AMD build at /monaco/vs (server/static-files.ts):
 * the machine may be offline, and the loader's default is a CDN. Monaco's
 * editor.main sets MonacoEnvironment.getWorker to URLs under the same path,
 * so the editor worker is same-origin too.
 */
export const MONACO_VS_PATH = '/monaco/vs';

/** Monaco measures glyphs itself, so it gets the font stack spelled out (globals.css --font-mono). */
export const MONO_FONT = "ui-monospace, 'SF Mono', 'Cascadia Code', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

let loading: Promise<Monaco> | null = null;

/** Loads Monaco once per page; every editor on the page shares it. */
export function loadMonaco(): Promise<Monaco> {
  if (!loading) {
    loader.config({ paths: { vs: MONACO_VS_PATH } });
    loading = (loader.init() as Promise<Monaco>).then((monaco) => {
      registerBpfHelp(monaco);
      registerBpfAsm(monaco);
      registerLegacyMapActions(monaco);
      return monaco;
    });
    // A failed load (server down) may be retried by the next editor that mounts.
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** Monaco's built-in themes, by the page's colour scheme. */
export function monacoTheme(scheme: 'light' | 'dark'): string {
  return scheme === 'dark' ? 'vs-dark' : 'vs';
}

/** Models are named by file, so markers and "jump to problem" find them by name. */
export function modelUri(monaco: Monaco, fileName: string) {
  return monaco.Uri.parse(`inmemory://playground/${encodeURIComponent(fileName)}`);
}

/** C, or plain text for files that are not C. */
export function languageFor(fileName: string): string {
  return /\.(c|h)$/.test(fileName) ? 'c' : 'plaintext';
}

/**
 * Hover help for helpers and completion snippets for SEC() names, programs
 * and maps in C files (the data is app/features/editor/bpf-help.ts). Registered once per
 * page, for every C model.
 */
function registerBpfHelp(monaco: Monaco): void {
  const { CompletionItemKind, CompletionItemInsertTextRule } = monaco.languages;
  monaco.languages.registerCompletionItemProvider('c', {
    triggerCharacters: ['"', '/'],
    provideCompletionItems(model: MonacoApi.editor.ITextModel, position: MonacoApi.Position): MonacoApi.languages.CompletionList {
      const before = model.getValueInRange({
        startLineNumber: position.lineNumber,
        startColumn: 1,
        endLineNumber: position.lineNumber,
        endColumn: position.column,
      });
      const inSection = sectionStart(before);
      if (inSection !== null) {
        const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: inSection, endColumn: position.column };
        return {
          suggestions: SECTION_SNIPPETS.map((s, i) => ({
            label: s.label,
            kind: CompletionItemKind.EnumMember,
            detail: s.detail,
            insertText: s.body,
            insertTextRules: CompletionItemInsertTextRule.InsertAsSnippet,
            range,
            sortText: String(i).padStart(2, '0'),
          })),
        };
      }
      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const atLineStart = /^\s*[A-Za-z_]*$/.test(before);
      return {
        suggestions: [
          ...(atLineStart
            ? CODE_SNIPPETS.map((s) => ({
                label: s.label,
                kind: CompletionItemKind.Snippet,
                detail: s.detail,
                documentation: { value: `\`\`\`c\n${s.body.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\}/g, '')}\n\`\`\`` },
                insertText: s.body,
                insertTextRules: CompletionItemInsertTextRule.InsertAsSnippet,
                range,
              }))
            : []),
          ...HELPERS.map((h) => ({
            label: h.name,
            kind: h.name === h.name.toUpperCase() || h.name === 'bpf_printk' ? CompletionItemKind.Keyword : CompletionItemKind.Function,
            detail: h.signature,
            documentation: { value: helperMarkdown(h).slice(1).join('\n\n') },
            insertText: h.name,
            range,
          })),
        ],
      };
    },
  });
  monaco.languages.registerHoverProvider('c', {
    provideHover(model: MonacoApi.editor.ITextModel, position: MonacoApi.Position): MonacoApi.languages.Hover | null {
      const word = model.getWordAtPosition(position);
      const doc = word ? helperDoc(word.word) : null;
      if (!word || !doc) return null;
      return {
        range: { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn },
        contents: helperMarkdown(doc).map((value) => ({ value })),
      };
    },
  });
}

/** llvm-objdump -S and bpftool's xlated dumps: source lines (;), instruction numbers, registers, calls. */
function registerBpfAsm(monaco: Monaco): void {
  monaco.languages.register({ id: 'bpf-asm' });
  monaco.languages.setMonarchTokensProvider('bpf-asm', {
    tokenizer: {
      root: [
        [/^\s*;.*$/, 'comment'],
        [/^\s*\d+:/, 'number'],
        [/^[0-9a-f]{16} <[^>]+>:$/, 'type'],
        [/^(Disassembly of section|int |[a-z_][\w]* [a-z_][\w]*\().*$/, 'type'],
        [/\bcall\b/, 'keyword'],
        [/\b(goto|exit|if|ll)\b/, 'keyword'],
        [/\b[rw]\d+\b/, 'variable'],
        [/\(\w\w\)/, 'comment'],
        [/\bR_BPF_\w+/, 'comment'],
        [/\b0x[0-9a-fA-F]+\b|-?\b\d+\b/, 'number'],
        [/\b(map|u8|u16|u32|u64|s8|s16|s32|s64)\b/, 'type'],
      ],
    },
  });
}
