import { useEffect, useRef } from 'react';

export interface Hotkeys {
  run(): void;
  stop(): void;
  save(): void;
}

/** A text field outside Monaco, where Esc belongs to the field (Monaco's own textarea does not count). */
function isFormField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('.monaco-editor')) return false;
  return target.matches('input, textarea, select, [contenteditable="true"]');
}

/**
 * Page-wide keys: Ctrl/Cmd+Enter runs, Esc stops, Ctrl/Cmd+S saves to local
 * storage instead of opening the browser's dialog. Inside the editor Monaco
 * sees keys first, so the editor registers the same actions (CodeEditor).
 */
export function useHotkeys(handlers: Hotkeys): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      // Handled already: by the editor's own Run/Save actions, or by an open menu.
      if (event.defaultPrevented) return;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && !event.altKey && event.key === 'Enter') {
        event.preventDefault();
        ref.current.run();
      } else if (mod && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 's') {
        event.preventDefault();
        ref.current.save();
      } else if (event.key === 'Escape' && !isFormField(event.target)) {
        ref.current.stop();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
