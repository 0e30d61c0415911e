'use client';

import type { ReactNode } from 'react';
import { useMenu } from './use-menu.ts';

export interface MenuChoice {
  key: string;
  title: string;
  description: string;
  /** A third, quieter line (an example's file names). */
  detail?: string;
  /** Set for a choice among options (the current example): the menu then checks one of its items. */
  checked?: boolean;
  onSelect(): void;
}

interface DropdownMenuProps {
  /** The button's look: a toolbar button, or the quieter title-like button of the examples. */
  look: 'button' | 'title';
  /** The button's content; an arrow follows it. */
  label: ReactNode;
  /** The button's accessible name, when its content is not enough. */
  ariaLabel?: string;
  title: string;
  disabled: boolean;
  menuLabel: string;
  /** Opens leftwards, for a button toward the toolbar's right end. */
  alignEnd?: boolean;
  choices: MenuChoice[];
}

/** A toolbar button that opens a menu of choices, each a title and a sentence: Examples, Export. */
export function DropdownMenu({ look, label, ariaLabel, title, disabled, menuLabel, alignEnd = false, choices }: DropdownMenuProps) {
  const { open, setOpen, close, button, menu, onKeyDown } = useMenu();
  return (
    <div className="dropdown">
      <button
        ref={button}
        type="button"
        className={look === 'title' ? 'menu-button' : 'button compact'}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={ariaLabel}
        title={title}
        disabled={disabled}
        onClick={() => setOpen(!open)}
      >
        {label}
        {look === 'button' && ' '}
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div ref={menu} className={alignEnd ? 'menu menu-end' : 'menu'} role="menu" aria-label={menuLabel} onKeyDown={onKeyDown}>
          {choices.map((choice) => (
            <button
              key={choice.key}
              type="button"
              role={choice.checked === undefined ? 'menuitem' : 'menuitemradio'}
              aria-checked={choice.checked}
              className="menu-item"
              tabIndex={-1}
              onClick={() => {
                close();
                choice.onSelect();
              }}
            >
              <span className="menu-item-title">{choice.title}</span>
              <span className="menu-item-description">{choice.description}</span>
              {choice.detail !== undefined && <span className="menu-item-files">{choice.detail}</span>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
