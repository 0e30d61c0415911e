'use client';

import { useEffect, useMemo, useState } from 'react';
import { Banner } from '../../common/Banner.tsx';
import type { ClientHandle } from './use-playground-client.ts';
import ui from '../../common/ui.module.css';

/** What is wrong with the connection or the machine: a lost socket (and when it retries), a refusal, a host that cannot run BPF. */
export function ConnectionBanners({ handle, running }: { handle: ClientHandle; running: boolean }) {
  const { client, connection, host } = handle;
  return (
    <>
      {connection.status === 'reconnecting' && (
        <ReconnectBanner
          retryAt={connection.retryAt}
          attempt={connection.attempt}
          reason={connection.reason}
          running={running}
          everConnected={handle.welcomes > 0}
          onRetry={() => client?.retryNow()}
        />
      )}
      {connection.refused && (
        <Banner
          tone="error"
          testId="connection-banner"
          actions={
            <button type="button" className={ui.linkButton} onClick={() => window.location.reload()}>
              Reload
            </button>
          }
        >
          {connection.refused}
        </Banner>
      )}
      {host && host.problems.length > 0 && (
        <Banner tone="error" testId="host-banner">
          This machine cannot run BPF programs: {host.problems.join(' ')}
        </Banner>
      )}
    </>
  );
}

interface ReconnectBannerProps {
  retryAt: number | null;
  attempt: number;
  reason: string | null;
  running: boolean;
  everConnected: boolean;
  onRetry(): void;
}

function ReconnectBanner({ retryAt, attempt, reason, running, everConnected, onRetry }: ReconnectBannerProps) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
  const when = useMemo(() => (seconds > 0 ? `in ${seconds} s` : 'now'), [seconds]);
  return (
    <Banner
      tone="warning"
      testId="connection-banner"
      actions={
        <button type="button" className={ui.linkButton} onClick={onRetry}>
          Retry now
        </button>
      }
    >
      {everConnected ? (
        <>
          Connection to the server lost{reason ? ` (${reason.replace(/\.$/, '')})` : ''}; reconnecting {when}
          {attempt > 1 ? ` (attempt ${attempt})` : ''}. Your code stays in this tab
          {running ? ', and the server keeps the program running for a while.' : '.'}
        </>
      ) : (
        <>
          Cannot reach the playground server{reason ? ` (${reason.replace(/\.$/, '')})` : ''}; retrying {when}. If you were given a link with{' '}
          <code>?token=</code>, open that link. Your code stays in this tab.
        </>
      )}
    </Banner>
  );
}
