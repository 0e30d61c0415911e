'use client';

import { useEffect, useState, type ReactNode } from 'react';
import { plural } from './format.ts';
import { useStoreVersion, type Versioned } from './use-store-version.ts';
import styles from './TabLabel.module.css';
import ui from './ui.module.css';

/** News in a tab the user is not looking at: a count, or a dot ('error' in red) for news without one. */
export type Badge = number | 'dot' | 'error' | null;

interface TabLabelProps {
  text: string;
  badge: Badge;
  /** What the badge means, for screen readers (the badge itself is hidden from them). */
  badgeLabel?: string;
  /** The badge's test id (badge-output…). */
  testId?: string;
  /** Marks after the text (a lesson's ✓, the raised hands). */
  children?: ReactNode;
}

/** A tab's label: its name, then its badge. Every tab strip labels its tabs with this. */
export function TabLabel({ text, badge, badgeLabel, testId, children }: TabLabelProps) {
  return (
    <>
      {text}
      {children}
      {badge !== null && (
        <>
          <span
            className={`${styles.badge} ${badge === 'error' ? styles.badgeError : badge === 'dot' ? styles.badgeDot : ''}`}
            aria-hidden="true"
            data-testid={testId}
          >
            {typeof badge === 'number' ? (badge > 999 ? '999+' : badge) : ''}
          </span>
          {badgeLabel && <span className={ui.visuallyHidden}>({badgeLabel})</span>}
        </>
      )}
    </>
  );
}

interface UnseenCountLabelProps {
  text: string;
  /** The store whose `total` counts what arrived (trace lines, event records). */
  store: Versioned & { readonly total: number };
  active: boolean;
  /** One of what is counted, for the screen-reader text: "new line". */
  noun: string;
  testId: string;
}

/** A label counting what arrived while its tab was hidden; it re-renders per frame on its own, not the whole page. */
export function UnseenCountLabel({ text, store, active, noun, testId }: UnseenCountLabelProps) {
  useStoreVersion(store);
  const [seenTotal, setSeenTotal] = useState(0);
  const total = store.total;
  useEffect(() => {
    // A new run empties the store: what was seen starts over with it.
    if (active || total < seenTotal) setSeenTotal(total);
  }, [active, total, seenTotal]);
  const unseen = active ? 0 : total - seenTotal;
  return <TabLabel text={text} badge={unseen > 0 ? unseen : null} badgeLabel={plural(unseen, noun)} testId={testId} />;
}

/** A count that is the news itself (raised hands), read out under its own name. */
export function CountBadge({ count, label, testId }: { count: number; label: string; testId: string }) {
  return (
    <>
      <span className={styles.badge} data-testid={testId} aria-hidden="true">
        {count}
      </span>
      <span className={ui.visuallyHidden}>
        ({label}: {count})
      </span>
    </>
  );
}
