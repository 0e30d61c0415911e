'use client';

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Example } from '../../protocol/messages.ts';

interface ExamplesMenuProps {
  examples: Example[] | null;
  current: string | null;
  onPick(example: Example): void;
}

/** The examples, each with what it shows; picking one replaces the editor's files (undoable). */
export function ExamplesMenu({ examples, current, onPick }: ExamplesMenuProps) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const currentTitle = examples?.find((e) => e.name === current)?.title;

  useEffect(() => {
    if (!open) return;
    const items = menu.current?.querySelectorAll<HTMLElement>('[role="menuitemradio"]');
    const checked = menu.current?.querySelector<HTMLElement>('[aria-checked="true"]');
    (checked ?? items?.[0])?.focus();
    const onDown = (event: globalThis.PointerEvent) => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const onKeyDown = (event: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape' || event.key === 'Tab') {
      // Esc closes the menu; it must not also stop the run.
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
      button.current?.focus();
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      items[(index + 1) % items.length]?.focus();
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      items[(index - 1 + items.length) % items.length]?.focus();
    } else if (event.key === 'Home') {
      event.preventDefault();
      items[0]?.focus();
    } else if (event.key === 'End') {
      event.preventDefault();
      items[items.length - 1]?.focus();
    }
  };

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
                setOpen(false);
                onPick(example);
                button.current?.focus();
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
