'use client';

import { useId, useRef } from 'react';
import { parseJsonInput } from '../../common/json-input.ts';
import type { SeedRow } from '../workspace/saved-work.ts';
import styles from './maps.module.css';
import ui from '../../common/ui.module.css';

interface SeedsEditorProps {
  seeds: SeedRow[];
  onChange(seeds: SeedRow[]): void;
  /** Map names of the last load, offered as suggestions. */
  mapNames: string[];
}

/**
 * Entries the playground writes after load and before attach: the part of
 * a program's user space that prepares its maps (execve_counter needs its key).
 */
export function SeedsEditor({ seeds, onChange, mapNames }: SeedsEditorProps) {
  const listId = useId();
  // A key per row that stays with it as rows above are removed (a row's object changes with every keystroke).
  // Seeds replaced from outside (an example, a share link) get new keys.
  const nextKey = useRef(0);
  const rowKeys = useRef<number[]>([]);
  if (rowKeys.current.length !== seeds.length) rowKeys.current = seeds.map(() => nextKey.current++);
  const update = (index: number, patch: Partial<SeedRow>) => onChange(seeds.map((s, i) => (i === index ? { ...s, ...patch } : s)));
  const remove = (index: number) => {
    rowKeys.current = rowKeys.current.filter((_, i) => i !== index);
    onChange(seeds.filter((_, i) => i !== index));
  };
  const add = () => {
    rowKeys.current = [...rowKeys.current, nextKey.current++];
    onChange([...seeds, { map: mapNames[0] ?? '', key: '', value: '' }]);
  };

  return (
    <section className={styles.seeds} aria-label="Seeds">
      <header className={styles.seedsHeader}>
        <h3>Seeds</h3>
        <span className={styles.seedsCaption}>written after load, before attach · sent with Run</span>
        <span className={ui.spacer} />
        <button type="button" className={ui.linkButton} onClick={add}>
          Add seed
        </button>
      </header>
      {seeds.length === 0 ? (
        <p className={styles.mapNote}>None. A seed is a map entry the playground writes between load and attach, as a loader would.</p>
      ) : (
        <ul className={styles.seedList}>
          {seeds.map((seed, i) => {
            const key = seed.key.trim() ? parseJsonInput(seed.key) : null;
            const value = seed.value.trim() ? parseJsonInput(seed.value) : null;
            const problem = !seed.map.trim()
              ? 'Name the map.'
              : key && !key.ok
                ? `Key: ${key.error}`
                : value && !value.ok
                  ? `Value: ${value.error}`
                  : !key || !value
                    ? 'Give a key and a value.'
                    : null;
            return (
              <li key={rowKeys.current[i]} className={styles.seedRow} data-testid="seed-row">
                <input
                  aria-label={`Seed ${i + 1} map`}
                  value={seed.map}
                  list={listId}
                  placeholder="map"
                  spellCheck={false}
                  onChange={(e) => update(i, { map: e.target.value })}
                />
                <input
                  aria-label={`Seed ${i + 1} key`}
                  value={seed.key}
                  placeholder="key (JSON)"
                  spellCheck={false}
                  onChange={(e) => update(i, { key: e.target.value })}
                />
                <span aria-hidden="true">→</span>
                <input
                  aria-label={`Seed ${i + 1} value`}
                  value={seed.value}
                  placeholder="value (JSON)"
                  spellCheck={false}
                  onChange={(e) => update(i, { value: e.target.value })}
                />
                <button type="button" className={`${ui.linkButton} ${ui.danger}`} aria-label={`Remove seed ${i + 1}`} onClick={() => remove(i)}>
                  ✕
                </button>
                {problem && <span className={`${ui.formError} ${styles.seedProblem}`}>{problem}</span>}
              </li>
            );
          })}
        </ul>
      )}
      <datalist id={listId}>
        {mapNames.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
    </section>
  );
}
