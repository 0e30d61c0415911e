'use client';

import type { HostInfo, KernelInfo } from '../../../protocol/messages.ts';
import type { ConnectionState } from '../connection/playground-client.ts';
import { useNow } from '../../common/use-now.ts';
import { formatClock, formatUptime, shortcut } from '../../common/format.ts';
import { HostCapabilities } from '../kernels/HostCapabilities.tsx';
import styles from './playground.module.css';
import ui from '../../common/ui.module.css';

interface StatusBarProps {
  connection: ConnectionState;
  host: HostInfo | null;
  /** The kernel the next Run loads into (null when the server offers only its own). */
  kernel: KernelInfo | null;
  sessionId: string | null;
  expiresAt: number | null;
  savedAt: number | null;
  dirty: boolean;
  message: string | null;
  onSave(): void;
}

const CONNECTION: Record<ConnectionState['status'], string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** The connection dot's colour per state. */
const CONNECTION_DOT: Record<ConnectionState['status'], string | undefined> = {
  open: styles.connOpen,
  reconnecting: styles.connReconnecting,
  connecting: styles.connConnecting,
  closed: styles.connClosed,
};

/** The bottom line: connection, the kernel we run on, what is saved, and the latest short message. */
export function StatusBar({ connection, host, kernel, sessionId, expiresAt, savedAt, dirty, message, onSave }: StatusBarProps) {
  const now = useNow(expiresAt !== null);
  const left = expiresAt !== null ? Math.max(0, (expiresAt - now) / 1000) : null;
  return (
    <footer className={styles.statusbar} data-testid="statusbar">
      <span
        className={`${styles.conn} ${CONNECTION_DOT[connection.status]}`}
        data-testid="connection-status"
        title={sessionId ? `session ${sessionId}` : undefined}
      >
        <span className={styles.connDot} aria-hidden="true" />
        {CONNECTION[connection.status]}
      </span>
      {host && (
        <>
          <span title="The kernel programs load into" data-testid="kernel-status">
            {kernel?.kind === 'vm' ? `kernel ${kernel.release} in your own VM` : `kernel ${host.kernel}`}
          </span>
          <span>{host.arch}</span>
          <span
            className={host.btf ? ui.ok : ui.bad}
            title={host.btf ? 'Kernel BTF (/sys/kernel/btf/vmlinux) is present: CO-RE and vmlinux.h work' : 'No kernel BTF: CO-RE programs will not load'}
          >
            BTF {host.btf ? '✓' : '✗'}
          </span>
          {host.problems.length > 0 && <span className={ui.bad}>host cannot load BPF</span>}
          {(kernel?.capabilities ?? host.capabilities) && <HostCapabilities capabilities={kernel?.capabilities ?? host.capabilities ?? []} />}
        </>
      )}
      {left !== null && connection.status === 'open' && (
        <span className={left < 600 ? ui.warn : undefined} title="The server ends each session after a while; your code stays in this browser">
          session {formatUptime(left)} left
        </span>
      )}
      <span className={ui.spacer} />
      {message && (
        <span className={styles.statusbarMessage} role="status" data-testid="status-message" title={message}>
          {message}
        </span>
      )}
      <span className={dirty ? ui.warn : ui.muted} data-testid="save-state">
        {dirty ? 'Unsaved changes' : savedAt ? `Saved in this browser at ${formatClock(savedAt / 1000).slice(0, 8)}` : 'Not saved'}
      </span>
      <button
        type="button"
        className={`${styles.linkButton} ${ui.linkButton}`}
        onClick={onSave}
        aria-keyshortcuts="Control+S Meta+S"
        title={`Save the files in this browser's storage (${shortcut('S')})`}
      >
        Save
      </button>
    </footer>
  );
}
