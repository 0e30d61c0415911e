'use client';

import { useId, type ReactNode } from 'react';
import { z } from 'zod';
import type { MapMeta } from '../../../protocol/messages.ts';
import { usePreference } from '../../common/use-preference.ts';
import { globalsSummary } from './map-shape.ts';
import styles from './maps.module.css';

interface GlobalsGroupProps {
  /** The program's internal maps: .rodata, .data, .bss, .kconfig, string literals. */
  maps: MapMeta[];
  children: ReactNode;
}

/**
 * The program's global variables, one folded entry below its maps: libbpf
 * makes a map of each section (.rodata, .bss, …), but they are the
 * program's variables, not maps it defined. Open or folded is remembered.
 */
export function GlobalsGroup({ maps, children }: GlobalsGroupProps) {
  const [open, setOpen] = usePreference('maps-globals-open', z.boolean(), false);
  const contentId = useId();
  return (
    <section className={styles.globals} aria-label="globals" data-testid="maps-globals">
      <button type="button" className={styles.globalsHeader} aria-expanded={open} aria-controls={contentId} onClick={() => setOpen(!open)}>
        <span className={styles.globalsChevron} aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        <span className={styles.mapName}>globals</span>
        <span className={styles.mapShape}>{globalsSummary(maps)}</span>
      </button>
      {open && (
        <div id={contentId} className={styles.globalsMaps}>
          {children}
        </div>
      )}
    </section>
  );
}
