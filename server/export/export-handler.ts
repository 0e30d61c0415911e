// export: the program as a standalone project (C on the skeleton, or Go on cilium/ebpf), as a zip.
import { accept, refuse } from '../../protocol/replies.ts';
import type { HandlerTable } from '../session/context.ts';
import { exportProject } from './project.ts';

export const exportHandlers = {
  export: async (session, message) => {
    const { config, toolchain, compileQueue } = session.deps;
    const id = message.id;
    if (!toolchain) return refuse(id, { code: 'host_unsupported', message: 'This host has no BPF toolchain.' });
    // It compiles, so it counts against the same Run budget and waits in the same line.
    const budget = session.spendRunBudget();
    if (!budget.ok)
      return refuse(id, {
        code: 'rate_limited',
        message: 'Too many runs and exports at once: wait a moment and try again.',
        retryAfterMs: budget.retryAfterMs,
      });
    const result = await exportProject(
      { files: message.files, seeds: message.seeds, name: message.name, language: message.language },
      { config, toolchain, schedule: (job) => compileQueue.run(job) },
    ).catch((error) => ({ ok: false as const, code: 'internal' as const, error: `The export failed: ${(error as Error).message}` }));
    return result.ok
      ? accept(id, 'export', { fileName: `${result.name}.zip`, zipBase64: Buffer.from(result.zip).toString('base64') })
      : refuse(id, { code: result.code, message: result.error });
  },
} satisfies HandlerTable;
