'use client';

import type { ReactNode } from 'react';
import styles from './Banner.module.css';

interface BannerProps {
  tone: 'error' | 'warning' | 'info';
  children: ReactNode;
  actions?: ReactNode;
  testId?: string;
}

const TONES: Record<BannerProps['tone'], string | undefined> = { error: styles.bannerError, warning: styles.bannerWarning, info: styles.bannerInfo };

/** A full-width sentence under the top bar: errors and lost connections must be seen, not hunted for. */
export function Banner({ tone, children, actions, testId }: BannerProps) {
  return (
    <div className={`${styles.banner} ${TONES[tone]}`} role={tone === 'info' ? 'status' : 'alert'} data-testid={testId}>
      <span className={styles.bannerText}>{children}</span>
      {actions && <span className={styles.bannerActions}>{actions}</span>}
    </div>
  );
}
