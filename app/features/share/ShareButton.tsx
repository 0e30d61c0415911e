'use client';

import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { shortcut } from '../../common/format.ts';
import { shareLink } from './share-link.ts';
import type { ShareDialog } from './use-share-dialog.ts';
import { Button } from '../../common/Button.tsx';
import styles from './share.module.css';
import ui from '../../common/ui.module.css';

/** Share: keeps the program on the server and shows its link (and the embed variant) with Copy buttons. */
export function ShareButton({ dialog, disabled }: { dialog: ShareDialog; disabled: boolean }) {
  return (
    <ShareAnchor dialog={dialog}>
      <Button
        compact
        aria-haspopup="dialog"
        aria-expanded={dialog.open}
        disabled={disabled || dialog.state.kind === 'sharing'}
        onClick={() => (dialog.open ? dialog.close() : void dialog.share())}
        title={SHARE_TITLE}
      >
        Share
      </Button>
    </ShareAnchor>
  );
}

export const SHARE_TITLE = 'Keep this program on the server and get a link to it (opening the link never runs it)';

/** What Share's popover opens under, with the popover when it is open. */
export function ShareAnchor({ dialog, children }: { dialog: ShareDialog; children: ReactNode }) {
  const { state } = dialog;
  const onKeyDown = (event: KeyboardEvent) => {
    // Esc closes the popover; it must not also stop the run.
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    dialog.close();
  };

  return (
    <div ref={dialog.anchor} className={styles.share}>
      {children}
      {dialog.open && (
        <div ref={dialog.popover} className={styles.sharePopover} role="dialog" aria-label="Share" onKeyDown={onKeyDown}>
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
