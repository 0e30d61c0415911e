import { useCallback } from 'react';
import type { Example } from '../../../protocol/messages.ts';
import type { Say } from '../playground/use-toast.ts';
import type { Workspace, WorkspaceActions } from '../workspace/use-workspace.ts';

/** Opens an example's files in the editor; when they replace edits, the message offers Undo. */
export function useExamplePicker(workspace: Workspace, files: WorkspaceActions, say: Say) {
  return useCallback(
    (picked: Example) => {
      const hadEdits = workspace.dirty;
      files.loadExample(picked);
      say(
        `Opened "${picked.title}".`,
        hadEdits
          ? () => {
              files.undoLoad();
              say('Your previous files are back.');
            }
          : undefined,
      );
    },
    [files, workspace.dirty, say],
  );
}
