'use client';

import type { ComponentProps } from 'react';
import styles from './Button.module.css';

interface ButtonProps extends Omit<ComponentProps<'button'>, 'className'> {
  /** Primary: the one main action of its bar (Run, Check). */
  primary?: boolean;
  /** The smaller size of the top bar's secondary actions. */
  compact?: boolean;
  /** Outlined in the accent colour: what to press next (the example's trigger, the open tab). */
  suggested?: boolean;
}

/** The playground's push button, in the top bar and in the panes' forms. */
export function Button({ primary = false, compact = false, suggested = false, type = 'button', ...rest }: ButtonProps) {
  const className = [styles.button, primary && styles.primary, compact && styles.compact, suggested && styles.suggested].filter(Boolean).join(' ');
  return <button type={type} className={className} {...rest} />;
}
