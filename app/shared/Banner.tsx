'use client';

import type { ReactNode } from 'react';

interface BannerProps {
  tone: 'error' | 'warning' | 'info';
  children: ReactNode;
  actions?: ReactNode;
  testId?: string;
}

/** A full-width sentence under the top bar: errors and lost connections must be seen, not hunted for. */
export function Banner({ tone, children, actions, testId }: BannerProps) {
  return (
    <div className={`banner banner-${tone}`} role={tone === 'info' ? 'status' : 'alert'} data-testid={testId}>
      <span className="banner-text">{children}</span>
      {actions && <span className="banner-actions">{actions}</span>}
    </div>
  );
}
