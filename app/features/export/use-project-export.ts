import { useCallback } from 'react';
import type { MapSeed, SourceFile } from '../../../protocol/messages.ts';
import { downloadBlob } from '../../common/download.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import type { Say } from '../playground/use-toast.ts';
import type { ExportLanguage } from './ExportMenu.tsx';

/** Export's request: the server builds the project, the browser downloads the zip, a message says how to build it. */
export function useProjectExport({ client }: ClientHandle, files: SourceFile[], checkSeeds: () => MapSeed[] | null, say: Say) {
  return useCallback(
    async (language: ExportLanguage) => {
      if (!client) return;
      const seeds = checkSeeds();
      if (!seeds) return;
      say(`Building the ${language === 'go' ? 'Go' : 'C'} project…`);
      const result = await client.exportProject(files, seeds, language);
      if (!result.ok) {
        say(`Export failed: ${result.error.message}`);
        return;
      }
      downloadBlob(result.fileName, new Blob([result.zip], { type: 'application/zip' }));
      const name = result.fileName.replace(/\.zip$/, '');
      const build = language === 'go' ? 'go mod tidy && make' : 'make';
      say(`Downloaded ${result.fileName}: unzip, ${build}, sudo ./${name} (see its README).`);
    },
    [client, files, checkSeeds, say],
  );
}
