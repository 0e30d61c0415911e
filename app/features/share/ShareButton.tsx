'use client';

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { shortcut } from '../../common/format.ts';
import { shareLink } from './share-link.ts';
import { Button } from '../../common/Button.tsx';
import styles from './share.module.css';
import ui from '../../common/ui.module.css';

export type ShareResult = { ok: true; shareId: string } | { ok: false; message: string };

interface ShareButtonProps {
  disabled: boolean;
  /** Sends the editor's files and seeds; null when the page said why not itself (bad seeds). */
  onShare(): Promise<ShareResult | null>;
}

type State = { kind: 'closed' } | { kind: 'sharing' } | { kind: 'failed'; message: string } | { kind: 'shared'; shareId: string };

/** Share: keeps the program on the server and shows its link (and the embed variant) with Copy buttons. */
export function ShareButton({ disabled, onShare }: ShareButtonProps) {
  const [state, setState] = useState<State>({ kind: 'closed' });
  const button = useRef<HTMLButtonElement>(null);
  const popover = useRef<HTMLDivElement>(null);
  const open = state.kind !== 'closed';

  useEffect(() => {
    if (!open) return;
    const onDown = (event: globalThis.PointerEvent) => {
      if (!popover.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setState({ kind: 'closed' });
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
    button.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    // Esc closes the popover; it must not also stop the run.
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    close();
  };

  return (
    <div className={styles.share}>
      <Button
        ref={button}
        compact
        aria-haspopup="dialog"
        aria-expanded={open}
        disabled={disabled || state.kind === 'sharing'}
        onClick={() => (open ? close() : void share())}
        title="Keep this program on the server and get a link to it (opening the link never runs it)"
      >
        Share
      </Button>
      {open && (
        <div ref={popover} className={styles.sharePopover} role="dialog" aria-label="Share" onKeyDown={onKeyDown}>
          {state.kind === 'sharing' && <p role="status">Sharing…</p>}
          {state.kind === 'failed' && (
            <p className={ui.formError} role="alert">
              Sharing failed: {state.message}
            </p>
          )}
          {state.kind === 'shared' && (
            <>
              <LinkField label="Link" text={shareLink(window.location.origin, state.shareId)} autoFocus />
              <LinkField label="Embed link" text={shareLink(window.location.origin, state.shareId, true)} />
              <p className={styles.shareNote}>Anyone with the link sees these files and seeds; opening it never runs the program.</p>
            </>
          )}
        </div>
      )}
    </div>
  );
}

function LinkField({ label, text, autoFocus }: { label: string; text: string; autoFocus?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);

  const copy = async () => {
    try {
      if (navigator.clipboard) {
        await navigator.clipboard.writeText(text);
        setNote('Copied.');
        return;
      }
    } catch {
      // The browser refused the clipboard (no permission, not focused): the selection below is the way then.
    }
    input.current?.select();
    setNote(`Selected: press ${shortcut('C')} to copy.`);
  };

  return (
    <div className={styles.shareField}>
      <label>
        <span className={styles.shareLabel}>{label}</span>
        {/* biome-ignore lint/a11y/noAutofocus: the user opened the Share dialog, and a dialog takes the focus (WAI-ARIA dialog pattern): onto the link, selected. */}
        <input ref={input} type="text" readOnly value={text} autoFocus={autoFocus} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
      </label>
      <Button compact onClick={() => void copy()} aria-label={`Copy ${label.toLowerCase()}`}>
        Copy
      </Button>
      {note && (
        <span className={styles.shareCopied} role="status">
          {note}
        </span>
      )}
    </div>
  );
}
