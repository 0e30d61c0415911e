'use client';

import { useId } from 'react';
import type { TypeDesc } from '../../../protocol/messages.ts';
import { placeholderFor } from '../../common/json-input.ts';
import { fieldKind, intRange, type FormValue } from './type-form.ts';
import styles from './maps.module.css';

type Path = (string | number)[];

interface TypeFieldsProps {
  desc: TypeDesc;
  value: FormValue;
  onChange(path: Path, value: FormValue): void;
  /** "Key" or "Value": the start of every input's accessible name. */
  root: string;
  /** The map, the end of every input's accessible name: "Value slots[3] for open_hist". */
  map: string;
  /** Where the last check failed ("slots[3]"), so that input is marked. */
  invalidPath: string | null;
  path?: Path;
  /** The input's id, for the label around it (a struct's field name, an array's index). */
  id?: string;
}

/**
 * Inputs for a BTF type, nested as the type is: integers as number inputs
 * bounded by their size and sign, enums as selects, char arrays as text with
 * their room, bools as checkboxes, structs as fieldsets, arrays as rows of
 * inputs, and JSON for what a form cannot say (unions).
 */
export function TypeFields({ desc, value, onChange, root, map, invalidPath, path = [], id }: TypeFieldsProps) {
  const where = pathText(path);
  const name = where ? `${root} ${where} for ${map}` : `${root} for ${map}`;
  const invalid = invalidPath === where;
  const common = { id, 'aria-label': name, 'aria-invalid': invalid || undefined, className: `${styles.tfInput} ${invalid ? styles.invalid : ''}` };
  const set = (v: FormValue) => onChange(path, v);
  // The ids of a struct's or an array's inputs, which their labels point to.
  const childIds = useId();
  const child = (type: TypeDesc, childValue: FormValue, part: string | number) => (
    <TypeFields
      desc={type}
      value={childValue}
      onChange={onChange}
      root={root}
      map={map}
      invalidPath={invalidPath}
      path={[...path, part]}
      id={`${childIds}-${part}`}
    />
  );

  switch (fieldKind(desc)) {
    case 'int': {
      const [min, max] = intRange(desc);
      return (
        <input
          {...common}
          type="number"
          inputMode="numeric"
          step={1}
          min={min.toString()}
          max={max.toString()}
          value={String(value)}
          onChange={(e) => set(e.target.value)}
          style={{ width: `${Math.min(24, Math.max(String(max).length, String(min).length) + 2)}ch` }}
          title={`${desc.name}: a whole number, ${min} to ${max}`}
        />
      );
    }
    case 'float':
      return (
        <input
          {...common}
          type="number"
          step="any"
          value={String(value)}
          onChange={(e) => set(e.target.value)}
          style={{ width: '16ch' }}
          title={`${desc.name}: a number`}
        />
      );
    case 'bool':
      return (
        <input
          id={id}
          aria-label={name}
          aria-invalid={common['aria-invalid']}
          type="checkbox"
          checked={value === true}
          onChange={(e) => set(e.target.checked)}
          title={desc.name}
        />
      );
    case 'enum':
      return (
        <select {...common} value={String(value)} onChange={(e) => set(e.target.value)} title={desc.name}>
          {desc.enumerators!.map((e) => (
            <option key={e.name} value={e.name}>
              {e.name} ({String(e.value)})
            </option>
          ))}
        </select>
      );
    case 'pointer':
      return (
        <input
          {...common}
          type="text"
          value={String(value)}
          onChange={(e) => set(e.target.value)}
          placeholder="0x0"
          spellCheck={false}
          autoComplete="off"
          style={{ width: '20ch' }}
          title={`${desc.name}: an address`}
        />
      );
    case 'text': {
      const room = Math.max(0, (desc.length ?? 1) - 1);
      return (
        <input
          {...common}
          type="text"
          value={String(value)}
          onChange={(e) => set(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          placeholder={`text, up to ${room} bytes`}
          style={{ width: `${Math.min(32, Math.max(12, room + 2))}ch` }}
          title={`${desc.name}: text, up to ${room} bytes and the closing NUL; \\n, \\t and \\r are a newline, a tab and a carriage return, \\\\ a backslash`}
        />
      );
    }
    case 'array': {
      const items = Array.isArray(value) ? value : [];
      const elemIsScalar = !['struct', 'array'].includes(fieldKind(desc.elem!));
      return (
        <fieldset className={styles.tfGroup}>
          <legend>
            {where || root.toLowerCase()} <span className={styles.typeName}>{desc.name}</span>
          </legend>
          {items.map((item, i) =>
            elemIsScalar ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: a BTF array has a fixed length and its elements never move: the index is the element.
              <label key={i} className={styles.tfItem} htmlFor={`${childIds}-${i}`}>
                <span className={styles.tfIndex}>[{i}]</span>
                {child(desc.elem!, item, i)}
              </label>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: a BTF array has a fixed length and its elements never move: the index is the element.
              <div key={i} className={styles.tfNested}>
                {child(desc.elem!, item, i)}
              </div>
            ),
          )}
        </fieldset>
      );
    }
    case 'struct': {
      const object = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
      return (
        <fieldset className={styles.tfGroup}>
          <legend>
            {where || root.toLowerCase()} <span className={styles.typeName}>{desc.name}</span>
          </legend>
          {(desc.fields ?? [])
            .filter((f) => !(f.type.kind === 'opaque' && !f.type.size))
            .map((f) => {
              const kind = fieldKind(f.type);
              const nested = kind === 'struct' || kind === 'array';
              return nested ? (
                <div key={f.name} className={styles.tfNested}>
                  {child(f.type, object[f.name] ?? '', f.name)}
                </div>
              ) : (
                <label key={f.name} className={styles.tfField} htmlFor={`${childIds}-${f.name}`}>
                  <span className={styles.tfName}>{f.name}</span>
                  {child(f.type, object[f.name] ?? '', f.name)}
                </label>
              );
            })}
        </fieldset>
      );
    }
    case 'json':
      return (
        <input
          {...common}
          type="text"
          value={String(value)}
          onChange={(e) => set(e.target.value)}
          placeholder={placeholderFor(desc)}
          spellCheck={false}
          autoComplete="off"
          className={`${common.className} ${styles.tfJson}`}
          title={`${desc.name}${desc.reason ? ` (${desc.reason})` : ''}: as JSON; left empty, it is written as zeros`}
        />
      );
  }
}

/** ["task", "slots", 3] → "task.slots[3]", as checkForm names paths. */
export function pathText(path: Path): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : text ? `.${part}` : part;
  return text;
}
