'use client';

import { useEffect, useRef, useState } from 'react';
import type { Capability } from '../../../protocol/messages.ts';
import { statusKinds, works } from './capabilities.ts';
import styles from './kernels.module.css';
import ui from '../../common/ui.module.css';

/**
 * The program kinds this host was found to load and attach, compactly
 * ("tracepoint ✓ … kprobe ✗"), each with its note as a tooltip; a click opens
 * the whole list, notes included, for kinds the status bar leaves out.
 */
export function HostCapabilities({ capabilities }: { capabilities: Capability[] }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        setOpen(false);
      }
    };
    window.addEventListener('pointerdown', onDown);
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('pointerdown', onDown);
      window.removeEventListener('keydown', onKey, true);
    };
  }, [open]);

  if (!capabilities.length) return null;
  const shown = statusKinds(capabilities);
  const summary = shown.map((c) => `${c.section} ${works(c) ? 'works' : 'does not work'}`).join(', ');
  return (
    <div className={styles.hostCaps} ref={root}>
      <button
        type="button"
        className={styles.hostCapsButton}
        aria-expanded={open}
        aria-label={`Program kinds on this host: ${summary}`}
        data-testid="host-capabilities"
        onClick={() => setOpen(!open)}
      >
        {shown.map((c) => (
          <span
            key={c.section}
            className={works(c) ? `${styles.cap} ${styles.ok} ${ui.ok}` : `${styles.cap} ${styles.bad} ${ui.bad}`}
            title={c.note ?? `${c.section} programs load and attach here`}
          >
            {c.section} {works(c) ? '✓' : '✗'}
          </span>
        ))}
      </button>
      {open && (
        <div className={styles.hostCapsPopover} role="dialog" aria-label="Program kinds on this host">
          <p className={styles.hostCapsTitle}>What this kernel was found to load and attach, tried at start:</p>
          <table className={ui.dataTable}>
            <tbody>
              {capabilities.map((c) => (
                <tr key={c.section}>
                  <td className={`${ui.mono} ${works(c) ? (c.attaches ? `${styles.ok} ${ui.ok}` : ui.muted) : `${styles.bad} ${ui.bad}`}`}>
                    {works(c) ? (c.attaches ? '✓' : '–') : '✗'} {c.section}
                  </td>
                  <td>{c.note ?? (c.attaches ? 'Loads and attaches.' : 'Loads.')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
