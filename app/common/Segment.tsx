'use client';

import type { ReactNode } from 'react';
import ui from './ui.module.css';

interface SegmentProps {
  /** The group's name, shared by its segments (one `useId()` per group): the browser makes them one choice. */
  name: string;
  checked: boolean;
  onSelect: () => void;
  /** More classes after `ui.segment` (a pane's smaller segments). */
  className?: string;
  title?: string;
  children: ReactNode;
}

/**
 * One option of a segmented control, inside an element with role="radiogroup" and a label:
 * a native radio (one tab stop per group, arrow keys to move) drawn over the whole segment, invisible.
 */
export function Segment({ name, checked, onSelect, className, title, children }: SegmentProps) {
  return (
    <label className={className ? `${ui.segment} ${className}` : ui.segment} title={title}>
      <input type="radio" className={ui.segmentInput} name={name} checked={checked} onChange={onSelect} />
      {children}
    </label>
  );
}
