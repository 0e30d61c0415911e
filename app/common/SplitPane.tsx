'use client';

import { useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { z } from 'zod';
import { usePreference } from './use-preference.ts';
import styles from './SplitPane.module.css';

interface SplitPaneProps {
  /** Where the split is remembered in localStorage. */
  storageKey: string;
  /** The left pane's share of the width, 0..1. */
  initial: number;
  /** Neither pane gets narrower than this, in pixels. */
  minPx: number;
  left: ReactNode;
  right: ReactNode;
  label: string;
}

/** Two panes side by side with a draggable (and keyboard-movable) divider; the split is remembered. */
export function SplitPane({ storageKey, initial, minPx, left, right, label }: SplitPaneProps) {
  const [fraction, setFraction] = usePreference(storageKey, z.number().min(0.1).max(0.9), initial);
  const [dragging, setDragging] = useState(false);
  const container = useRef<HTMLDivElement>(null);

  const clamp = (value: number) => {
    const width = container.current?.clientWidth ?? 1000;
    const min = Math.min(0.45, minPx / width);
    return Math.min(1 - min, Math.max(min, value));
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    setDragging(true);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (!dragging || !container.current) return;
    const rect = container.current.getBoundingClientRect();
    setFraction(clamp((event.clientX - rect.left) / rect.width));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    event.currentTarget.releasePointerCapture(event.pointerId);
    setDragging(false);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.shiftKey ? 0.1 : 0.02;
    if (event.key === 'ArrowLeft') setFraction(clamp(fraction - step));
    else if (event.key === 'ArrowRight') setFraction(clamp(fraction + step));
    else if (event.key === 'Home') setFraction(clamp(0));
    else if (event.key === 'End') setFraction(clamp(1));
    else return;
    event.preventDefault();
  };

  return (
    <div
      ref={container}
      className={`${styles.split} ${dragging ? styles.dragging : ''}`}
      style={{ gridTemplateColumns: `${fraction}fr 5px ${1 - fraction}fr` }}
    >
      <div className={styles.splitPane}>{left}</div>
      <hr
        className={styles.splitDivider}
        aria-orientation="vertical"
        aria-label={label}
        aria-valuemin={10}
        aria-valuemax={90}
        aria-valuenow={Math.round(fraction * 100)}
        tabIndex={0}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onKeyDown={onKeyDown}
        onDoubleClick={() => setFraction(initial)}
      />
      <div className={styles.splitPane}>{right}</div>
    </div>
  );
}
