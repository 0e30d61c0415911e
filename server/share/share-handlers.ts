// share and get_share: a program kept under a short id, for a link that opens it (and never runs it by itself).
import { accept, refuse } from '../../protocol/replies.ts';
import { checkSources } from '../compile/compiler.ts';
import type { HandlerTable } from '../session/context.ts';

export const shareHandlers = {
  share: (session, message) => {
    const problem = checkSources(message.files, session.deps.config.limits.sourceBytes);
    if (problem) return refuse(message.id, { code: 'bad_request', message: problem });
    const budget = session.spendRunBudget();
    if (!budget.ok)
      return refuse(message.id, {
        code: 'rate_limited',
        message: 'Too many runs and shares at once: wait a moment and try again.',
        retryAfterMs: budget.retryAfterMs,
      });
    return accept(message.id, 'share', { shareId: session.deps.shares.create(message.files, message.seeds) });
  },
  get_share: (session, message) => {
    const shared = session.deps.shares.get(message.shareId);
    if (!shared) return refuse(message.id, { code: 'bad_request', message: `There is no shared program "${message.shareId}": check the link.` });
    return accept(message.id, 'get_share', shared);
  },
} satisfies HandlerTable;
