'use client';

import { DropdownMenu } from '../../common/DropdownMenu.tsx';

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
  return (
    <DropdownMenu
      look="button"
      label="Export"
      title="Download the program as a project that builds and runs on your machine, in C or in Go"
      disabled={disabled}
      menuLabel="Export as"
      alignEnd
      choices={CHOICES.map((choice) => ({
        key: choice.language,
        title: choice.title,
        description: choice.description,
        onSelect: () => onExport(choice.language),
      }))}
    />
  );
}
