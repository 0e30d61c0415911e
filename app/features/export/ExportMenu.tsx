'use client';

import { useMenu } from '../../shared/use-menu.ts';

export type ExportLanguage = 'c' | 'go';

interface ExportMenuProps {
  disabled: boolean;
  onExport(language: ExportLanguage): void;
}

const CHOICES: { language: ExportLanguage; title: string; description: string }[] = [
  { language: 'c', title: 'C project (libbpf)', description: 'The sources, a loader on the bpftool skeleton, a Makefile: make, then sudo ./NAME.' },
  { language: 'go', title: 'Go project (cilium/ebpf)', description: 'The sources, bpf2go’s go:generate line, a main.go, a Makefile: go mod tidy && make.' },
];

/** Export: the program, its seeds and settings as a project that builds outside the playground, in C or in Go. */
export function ExportMenu({ disabled, onExport }: ExportMenuProps) {
  const { open, setOpen, close, button, menu, onKeyDown } = useMenu();
  return (
    <div className="export-menu">
      <button
        ref={button}
        type="button"
        className="button compact"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen(!open)}
        title="Download the program as a project that builds and runs on your machine, in C or in Go"
      >
        Export <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div ref={menu} className="menu" role="menu" aria-label="Export as" onKeyDown={onKeyDown}>
          {CHOICES.map((choice) => (
            <button
              key={choice.language}
              type="button"
              role="menuitem"
              className="menu-item"
              tabIndex={-1}
              onClick={() => {
                close();
                onExport(choice.language);
              }}
            >
              <span className="menu-item-title">{choice.title}</span>
              <span className="menu-item-description">{choice.description}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
