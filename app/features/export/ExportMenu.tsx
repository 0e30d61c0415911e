'use client';

import { DropdownMenu, type MenuChoice } from '../../common/DropdownMenu.tsx';

export type ExportLanguage = 'c' | 'go';

interface ExportMenuProps {
  disabled: boolean;
  onExport(language: ExportLanguage): void;
}

const CHOICES: { language: ExportLanguage; title: string; description: string }[] = [
  { language: 'c', title: 'C project (libbpf)', description: 'The sources, a loader on the bpftool skeleton, a Makefile: make, then sudo ./NAME.' },
  { language: 'go', title: 'Go project (cilium/ebpf)', description: 'The sources, bpf2go’s go:generate line, a main.go, a Makefile: go mod tidy && make.' },
];

/** Export's choices as menu items: "C project (libbpf)", or with a prefix where the menu is not Export's own ("Export as C project…" in More). */
export function exportChoices(onExport: (language: ExportLanguage) => void, options: { prefix?: string; disabled?: boolean } = {}): MenuChoice[] {
  return CHOICES.map((choice) => ({
    key: `export-${choice.language}`,
    title: `${options.prefix ?? ''}${choice.title}`,
    description: choice.description,
    disabled: options.disabled,
    onSelect: () => onExport(choice.language),
  }));
}

/** Export: the program, its seeds and settings as a project that builds outside the playground, in C or in Go. */
export function ExportMenu({ disabled, onExport }: ExportMenuProps) {
  return (
    <DropdownMenu look="button" label="Export" title={EXPORT_TITLE} disabled={disabled} menuLabel="Export as" alignEnd choices={exportChoices(onExport)} />
  );
}

export const EXPORT_TITLE = 'Download the program as a project that builds and runs on your machine, in C or in Go';
