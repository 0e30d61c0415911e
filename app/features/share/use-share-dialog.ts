import { useEffect, useRef, useState } from 'react';

export type ShareResult = { ok: true; shareId: string } | { ok: false; message: string };

/** Sends the editor's files and seeds; null when the page said why not itself (bad seeds). */
export type ShareRequest = () => Promise<ShareResult | null>;

type State = { kind: 'closed' } | { kind: 'sharing' } | { kind: 'failed'; message: string } | { kind: 'shared'; shareId: string };

export type ShareDialog = ReturnType<typeof useShareDialog>;

/**
 * Share's state: it keeps the program on the server and opens a popover with
 * its links, under whatever opened it (the Share button, or More when the bar
 * folded Share into it). A click outside or Esc closes it.
 */
export function useShareDialog(onShare: ShareRequest) {
  const [state, setState] = useState<State>({ kind: 'closed' });
  /** What the popover opens under: its button gets the focus back. */
  const anchor = useRef<HTMLDivElement>(null);
  const popover = useRef<HTMLDivElement>(null);
  const open = state.kind !== 'closed';

  useEffect(() => {
    if (!open) return;
    const onDown = (event: globalThis.PointerEvent) => {
      if (!popover.current?.contains(event.target as Node) && !anchor.current?.contains(event.target as Node)) setState({ kind: 'closed' });
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const share = async () => {
    setState({ kind: 'sharing' });
    const result = await onShare();
    if (!result) setState({ kind: 'closed' });
    else setState(result.ok ? { kind: 'shared', shareId: result.shareId } : { kind: 'failed', message: result.message });
  };

  const close = () => {
    setState({ kind: 'closed' });
    anchor.current?.querySelector<HTMLButtonElement>('button')?.focus();
  };

  return { state, open, anchor, popover, share, close };
}
