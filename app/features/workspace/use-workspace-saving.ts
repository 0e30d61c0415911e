import { useCallback, useEffect } from 'react';
import { formatClock } from '../../common/format.ts';
import type { Say } from '../playground/use-toast.ts';
import type { Workspace, WorkspaceActions } from './use-workspace.ts';

/** Save (Ctrl+S, the status bar's Save) and the message about work restored at load. */
export function useWorkspaceSaving(workspace: Workspace, files: WorkspaceActions, { embed, say }: { embed: boolean; say: Say }) {
  useEffect(() => {
    if (workspace.restoredFrom === 'saved') say('Restored the files saved in this browser.');
    else if (workspace.restoredFrom === 'draft') say('Restored your unsaved edits from before the reload.');
  }, [workspace.restoredFrom, say]);

  return useCallback(() => {
    // An embed sits inside someone else's page: it never writes over the work saved in this browser.
    if (embed) return;
    const ok = files.save();
    say(ok ? `Saved to this browser's storage at ${formatClock(Date.now() / 1000).slice(0, 8)}.` : 'Could not save: this browser refused local storage.');
  }, [files, embed, say]);
}
