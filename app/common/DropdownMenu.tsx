'use client';

import type { ReactNode } from 'react';
import { Button } from './Button.tsx';
import { useMenu } from './use-menu.ts';
import styles from './DropdownMenu.module.css';

export interface MenuChoice {
  key: string;
  title: string;
  description: string;
  /** A third, quieter line (an example's file names). */
  detail?: string;
  /** Set for a choice among options (the current example): the menu then checks one of its items. */
  checked?: boolean;
  /** Shown, but it does nothing now (Export while disconnected). */
  disabled?: boolean;
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

/** A toolbar button that opens a menu of choices, each a title and a sentence: Examples, Export, the top bar's More. */
export function DropdownMenu({ look, label, ariaLabel, title, disabled, menuLabel, alignEnd = false, choices }: DropdownMenuProps) {
  const { open, setOpen, close, button, menu, onKeyDown } = useMenu();
  const toggle = {
    ref: button,
    'aria-haspopup': 'menu' as const,
    'aria-expanded': open,
    'aria-label': ariaLabel,
    title,
    disabled,
    onClick: () => setOpen(!open),
  };
  return (
    <div className={styles.dropdown}>
      {look === 'title' ? (
        <button type="button" className={styles.menuButton} {...toggle}>
          {label}
          <span aria-hidden="true">▾</span>
        </button>
      ) : (
        <Button compact {...toggle}>
          {label} <span aria-hidden="true">▾</span>
        </Button>
      )}
      {open && (
        <div ref={menu} className={alignEnd ? `${styles.menu} ${styles.menuEnd}` : styles.menu} role="menu" aria-label={menuLabel} onKeyDown={onKeyDown}>
          {choices.map((choice) => {
            const onClick = () => {
              if (choice.disabled) return;
              close();
              choice.onSelect();
            };
            const content = (
              <>
                <span className={styles.menuItemTitle}>{choice.title}</span>
                <span className={styles.menuItemDescription}>{choice.description}</span>
                {choice.detail !== undefined && <span className={styles.menuItemFiles}>{choice.detail}</span>}
              </>
            );
            // A choice with a checked state is one of a set (menuitemradio); one without is a plain action.
            return choice.checked === undefined ? (
              <button
                key={choice.key}
                type="button"
                role="menuitem"
                aria-disabled={choice.disabled}
                className={styles.menuItem}
                tabIndex={-1}
                onClick={onClick}
              >
                {content}
              </button>
            ) : (
              <button
                key={choice.key}
                type="button"
                role="menuitemradio"
                aria-checked={choice.checked}
                className={styles.menuItem}
                tabIndex={-1}
                onClick={onClick}
              >
                {content}
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}
