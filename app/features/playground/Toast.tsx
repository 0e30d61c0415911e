'use client';

import type { Toast } from './use-toast.ts';

/** The floating message: one with an Undo, or any message in an embed (which has no status bar). */
export function FloatingToast({ toast }: { toast: Toast }) {
  return (
    <div className="toast" role="status" data-testid="status-message">
      {toast.text}
      {toast.undo && (
        <button type="button" className="link-button" onClick={toast.undo}>
          Undo
        </button>
      )}
    </div>
  );
}
