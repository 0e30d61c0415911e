'use client';

import dynamic from 'next/dynamic';

/**
 * The playground renders in the browser only: it lives on a WebSocket,
 * Monaco and localStorage, none of which exist on the server, and reading
 * localStorage during hydration would make the server's HTML disagree.
 */
const Playground = dynamic(() => import('./Playground.tsx').then((m) => m.Playground), {
  ssr: false,
  loading: () => (
    <div className="app app-loading" role="status">
      <header className="topbar">
        <span className="brand">eBPF Playground</span>
      </header>
      <p className="loading-note">Loading the playground…</p>
    </div>
  ),
});

export function PlaygroundLoader() {
  return <Playground />;
}
