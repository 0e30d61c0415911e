'use client';

import type { Example } from '../../../protocol/messages.ts';
import { DropdownMenu } from '../../common/DropdownMenu.tsx';
import styles from './examples.module.css';

interface ExamplesMenuProps {
  examples: Example[] | null;
  current: string | null;
  onPick(example: Example): void;
}

/** The examples, each with what it shows; picking one replaces the editor's files (undoable). */
export function ExamplesMenu({ examples, current, onPick }: ExamplesMenuProps) {
  const currentTitle = examples?.find((e) => e.name === current)?.title;
  return (
    <DropdownMenu
      look="title"
      label={currentTitle ? <span className={styles.menuButtonValue}>{currentTitle}</span> : <span className={styles.menuButtonLabel}>Examples</span>}
      ariaLabel={`Examples${currentTitle ? `: ${currentTitle}` : ''}`}
      title="Open an example (replaces the files in the editor; undoable)"
      disabled={!examples}
      menuLabel="Examples"
      choices={(examples ?? []).map((example) => ({
        key: example.name,
        title: example.title,
        description: example.description,
        detail: example.files.map((f) => f.name).join(' · '),
        checked: example.name === current,
        onSelect: () => onPick(example),
      }))}
    />
  );
}
