'use client';

import dynamic from 'next/dynamic';
import styles from './playground.module.css';

/**
 * The playground renders in the browser only: it lives on a WebSocket,
 * Monaco and localStorage, none of which exist on the server, and reading
 * localStorage during hydration would make the server's HTML disagree.
 */
const Playground = dynamic(() => import('./Playground.tsx').then((m) => m.Playground), {
  ssr: false,
  loading: () => (
    <div className={styles.app} role="status">
      <header className={styles.topbar}>
        <span className={styles.brand}>eBPF Playground</span>
      </header>
      <p className={styles.loadingNote}>Loading the playground…</p>
    </div>
  ),
});

export function PlaygroundLoader() {
  return <Playground />;
}
