'use client';

import type { Toast } from './use-toast.ts';
import styles from './playground.module.css';
import ui from '../../common/ui.module.css';

/** The floating message: one with an Undo, or any message in an embed (which has no status bar). */
export function FloatingToast({ toast }: { toast: Toast }) {
  return (
    <div className={styles.toast} role="status" data-testid="status-message">
      {toast.text}
      {toast.undo && (
        <button type="button" className={`${styles.linkButton} ${ui.linkButton}`} onClick={toast.undo}>
          Undo
        </button>
      )}
    </div>
  );
}
