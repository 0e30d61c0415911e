import { loader, type Monaco } from '@monaco-editor/react';

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
    loading = loader.init() as Promise<Monaco>;
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
