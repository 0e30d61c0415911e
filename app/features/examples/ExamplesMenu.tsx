'use client';

import type { Example } from '../../../protocol/messages.ts';
import { useMenu } from '../../shared/use-menu.ts';

interface ExamplesMenuProps {
  examples: Example[] | null;
  current: string | null;
  onPick(example: Example): void;
}

/** The examples, each with what it shows; picking one replaces the editor's files (undoable). */
export function ExamplesMenu({ examples, current, onPick }: ExamplesMenuProps) {
  const { open, setOpen, close, button, menu, onKeyDown } = useMenu();
  const currentTitle = examples?.find((e) => e.name === current)?.title;

  return (
    <div className="examples-menu">
      <button
        ref={button}
        type="button"
        className="menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Examples${currentTitle ? `: ${currentTitle}` : ''}`}
        title="Open an example (replaces the files in the editor; undoable)"
        disabled={!examples}
        onClick={() => setOpen(!open)}
      >
        {currentTitle ? <span className="menu-button-value">{currentTitle}</span> : <span className="menu-button-label">Examples</span>}
        <span aria-hidden="true">▾</span>
      </button>
      {open && examples && (
        <div ref={menu} className="menu" role="menu" aria-label="Examples" onKeyDown={onKeyDown}>
          {examples.map((example) => (
            <button
              key={example.name}
              type="button"
              role="menuitemradio"
              aria-checked={example.name === current}
              className="menu-item"
              tabIndex={-1}
              onClick={() => {
                close();
                onPick(example);
              }}
            >
              <span className="menu-item-title">{example.title}</span>
              <span className="menu-item-description">{example.description}</span>
              <span className="menu-item-files">{example.files.map((f) => f.name).join(' · ')}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
