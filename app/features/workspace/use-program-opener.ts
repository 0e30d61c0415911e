import { useCallback } from 'react';
import type { Example } from '../../../protocol/messages.ts';
import type { Say } from '../playground/use-toast.ts';
import type { WorkspaceActions } from './use-workspace.ts';

/** What the opener needs of a program: an example, or a lesson or a room's push put in the same shape. */
export type OpenableProgram = Pick<Example, 'name' | 'title' | 'files' | 'seeds'>;

interface ProgramOpenerOptions {
  /** A program is running (or on its way to the kernel). */
  running: boolean;
  /** Stops it; the next Run is the opened program's. */
  stop(): Promise<void>;
  say: Say;
}

/**
 * Opens an example, a lesson or a room's push: exactly that program, nothing
 * of the previous one. A running program is stopped (a Check would otherwise
 * watch it), its seeds and settings go with its files, and the message offers
 * Undo, which brings the previous files and seeds back.
 */
export function useProgramOpener(files: WorkspaceActions, { running, stop, say }: ProgramOpenerOptions) {
  return useCallback(
    (program: OpenableProgram) => {
      if (running) void stop();
      const replaced = files.open({ example: program.name, files: program.files, seeds: program.seeds });
      const undo = () => {
        if (files.undoLoad()) say('Your previous files and seeds are back.');
      };
      const text = running ? `Opened "${program.title}" and stopped the program that was running.` : `Opened "${program.title}".`;
      say(text, replaced ? undo : undefined);
    },
    [files, running, stop, say],
  );
}
