import { useCallback } from 'react';
import type { Say } from '../playground/use-toast.ts';
import type { Workspace, WorkspaceActions } from '../workspace/use-workspace.ts';

/** Deleting a file asks nothing: the message that says so offers Undo, which puts it back where it was. */
export function useFileDeletion(workspace: Workspace, files: WorkspaceActions, say: Say) {
  return useCallback(
    (name: string) => {
      const index = workspace.files.findIndex((f) => f.name === name);
      const file = workspace.files[index];
      if (!file) return;
      files.deleteFile(name);
      say(`Deleted ${name}.`, () => {
        files.addFile(file.name, file.content, index);
        say(`${name} is back.`);
      });
    },
    [workspace.files, files, say],
  );
}
