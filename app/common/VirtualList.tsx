'use client';

import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode, type WheelEvent } from 'react';
import styles from './VirtualList.module.css';

interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** A number that grows with the index (a sequence number): keeps the view still while old rows are removed. */
  keyAt(index: number): number;
  renderRow(index: number): ReactNode;
  /** Stick to the bottom as rows arrive. */
  follow: boolean;
  /** The user scrolled away from the bottom (false) or back to it (true). */
  onFollowChange(follow: boolean): void;
  label: string;
  /** Changes whenever rows change, even when `count` does not (a full buffer). */
  version: number;
  /** 'log' (a stream, the default) or 'rowgroup' (the body of a table of entries). */
  role?: 'log' | 'rowgroup';
  /** The React key of a row, when the sequence number is not one (rows sorted by key). */
  itemKey?(index: number): string | number;
}

const OVERSCAN = 8;

/**
 * A fixed-row-height virtual list: only the rows in view (plus a few) are in
 * the DOM, so 5,000 lines scroll like 50. While not following, the row at the
 * top of the view stays put even as older rows are evicted above it.
 */
export function VirtualList({ count, rowHeight, keyAt, renderRow, follow, onFollowChange, label, version, role = 'log', itemKey = keyAt }: VirtualListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  const anchor = useRef<{ key: number; offset: number } | null>(null);
  /** Where we last scrolled to ourselves: a scroll event there is not the user's. */
  const lastSet = useRef(-1);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` says the rows changed when neither `count` nor `keyAt` does (a full buffer, changed in place).
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    let target = element.scrollTop;
    if (follow) {
      // The height the ResizeObserver gave: reading clientHeight here would force a layout every batch.
      target = Math.max(0, count * rowHeight - height);
    } else if (anchor.current && count) {
      const index = lowerBound(count, keyAt, anchor.current.key);
      target = index * rowHeight + anchor.current.offset;
    }
    if (Math.abs(target - element.scrollTop) >= 1) {
      element.scrollTop = target;
      lastSet.current = element.scrollTop;
    }
    // Following, the render already placed the rows at the bottom: a second render per batch is what costs frames.
    if (!follow) setScrollTop(element.scrollTop);
  }, [count, version, keyAt, follow, rowHeight, height]);

  const onScroll = () => {
    const element = ref.current;
    if (!element) return;
    const top = Math.floor(element.scrollTop / rowHeight);
    anchor.current = count ? { key: keyAt(Math.min(top, count - 1)), offset: element.scrollTop - top * rowHeight } : null;
    // Our own scroll to the bottom while following: nothing to re-render.
    if (follow && Math.abs(element.scrollTop - lastSet.current) < 1) return;
    setScrollTop(element.scrollTop);
    if (Math.abs(element.scrollTop - lastSet.current) < 1) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < rowHeight;
    if (atBottom !== follow) onFollowChange(atBottom);
  };

  // Rows may arrive every frame; a wheel or key towards older lines must win over following.
  const onWheel = (event: WheelEvent) => {
    if (event.deltaY < 0 && follow) onFollowChange(false);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (follow && (event.key === 'PageUp' || event.key === 'ArrowUp' || event.key === 'Home')) onFollowChange(false);
    if (!follow && event.key === 'End') onFollowChange(true);
  };

  // Following, the view is the bottom, whatever the last scroll event said.
  const top = follow ? Math.max(0, count * rowHeight - height) : scrollTop;
  const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + height) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      // Following a stream, every row in view is a new line each frame: keyed by its place on screen,
      // the row elements are reused and only their text changes, instead of made and dropped.
      <div key={follow ? `at-${i - first}` : itemKey(i)} className={styles.vlistRow} style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}>
        {renderRow(i)}
      </div>,
    );
  }

  const spacer = (
    <div className={styles.vlistSpacer} style={{ height: count * rowHeight }}>
      {rows}
    </div>
  );
  return role === 'log' ? (
    <div
      ref={ref}
      className={styles.vlist}
      onScroll={onScroll}
      onWheel={onWheel}
      onKeyDown={onKeyDown}
      role="log"
      aria-label={label}
      aria-live="off"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region takes the focus so the keyboard can scroll it (PageUp, End…).
      tabIndex={0}
    >
      {spacer}
    </div>
  ) : (
    // biome-ignore lint/a11y/noNoninteractiveTabindex lint/a11y/useSemanticElements: a scrolling region takes the focus so the keyboard can scroll it; the body of an ARIA table of divs (MapTable), whose rows sit in positioned wrappers a <tbody> cannot hold.
    <div ref={ref} className={styles.vlist} onScroll={onScroll} onWheel={onWheel} onKeyDown={onKeyDown} role="rowgroup" aria-label={label} tabIndex={0}>
      {spacer}
    </div>
  );
}

/** The first index whose key is >= key (keys grow with the index). */
function lowerBound(count: number, keyAt: (i: number) => number, key: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyAt(mid) < key) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, count - 1);
}
