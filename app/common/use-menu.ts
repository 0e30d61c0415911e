'use client';

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

/** Any of a menu's items: menuitem, menuitemradio, menuitemcheckbox. */
const ITEMS = '[role^="menuitem"]';

/**
 * A drop-down menu's behaviour: it opens with focus on the checked item (or
 * the first), closes on a click outside, Esc or Tab, and moves with the
 * arrow keys, Home and End.
 */
export function useMenu() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const checked = menu.current?.querySelector<HTMLElement>('[aria-checked="true"]');
    (checked ?? menu.current?.querySelector<HTMLElement>(ITEMS))?.focus();
    const onDown = (event: globalThis.PointerEvent) => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>(ITEMS) ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, number | undefined> = {
      ArrowDown: (index + 1) % items.length,
      ArrowUp: (index - 1 + items.length) % items.length,
      Home: 0,
      End: items.length - 1,
    };
    if (event.key === 'Escape' || event.key === 'Tab') {
      // Esc closes the menu; it must not also stop the run.
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (moves[event.key] !== undefined) {
      event.preventDefault();
      items[moves[event.key]!]?.focus();
    }
  };

  return { open, setOpen, close, button, menu, onKeyDown };
}
