'use client';

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Json, MapMeta, TypeDesc } from '../../../protocol/messages.ts';
import { formatJson } from '../../common/format.ts';
import { describeDesc, parseJsonInput, placeholderFor, toInputText } from '../../common/json-input.ts';
import { HASH_TYPES } from './map-shape.ts';
import type { RequestResult } from '../connection/playground-client.ts';
import { checkForm, fieldKind, formSupported, initialForm, setAt, type FormValue } from './type-form.ts';
import { TypeFields } from './TypeFields.tsx';
import { Segment } from '../../common/Segment.tsx';
import styles from './maps.module.css';
import ui from '../../common/ui.module.css';

export interface Prefill {
  key: Json;
  value: Json;
  /** Changes on every click, so clicking the same entry again fills the form again. */
  nonce: number;
}

interface EntryFormProps {
  meta: MapMeta;
  /** A globals map's variables: the form then writes one variable, keeping the others. */
  globals: Record<string, Json> | null;
  /** The key of a globals map's one entry. */
  globalsKey: Json | null;
  /** Whether the map (as last read) has an entry with this id (its key as JSON). */
  hasKey(id: string): boolean;
  prefill: Prefill | null;
  onWrite(map: string, key: Json, value: Json): Promise<RequestResult>;
  onDelete(map: string, key: Json): Promise<RequestResult>;
}

type Mode = 'form' | 'json';
type Action = 'update' | 'insert' | 'delete';
type Read = { ok: true; key: Json; value: Json | undefined } | { ok: false; error: string; path: string | null };

/**
 * Writes a map entry: a form generated from the key's and value's BTF types
 * (checked here first, in one sentence), or JSON for anything. The server
 * checks again against the same types and its sentence shows as well.
 */
export function EntryForm({ meta, globals, globalsKey, hasKey, prefill, onWrite, onDelete }: EntryFormProps) {
  const map = meta.name;
  const variables = globals ? Object.keys(globals) : [];
  const [variable, setVariable] = useState(variables[0] ?? '');
  const keyDesc = meta.keyDesc;
  const valueDesc: TypeDesc | null = globals ? (meta.valueDesc?.fields?.find((f) => f.name === variable)?.type ?? null) : meta.valueDesc;
  const keyFormable = !globals && formSupported(keyDesc);
  const valueFormable = formSupported(valueDesc);
  const [mode, setMode] = useState<Mode>(valueFormable || keyFormable ? 'form' : 'json');
  const modeGroup = useId();

  const [keyForm, setKeyForm] = useState<FormValue>(() => (keyFormable ? initialForm(keyDesc!) : ''));
  const [valueForm, setValueForm] = useState<FormValue>(() => (valueFormable ? initialForm(valueDesc!) : ''));
  const [keyText, setKeyText] = useState('');
  const [valueText, setValueText] = useState('');
  const [error, setError] = useState<{ text: string; path: string | null; part: 'key' | 'value' | null } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  // A globals map's value form follows the variable picked.
  const shownVariable = useRef(variable);
  useEffect(() => {
    if (shownVariable.current === variable) return;
    shownVariable.current = variable;
    setValueForm(valueFormable ? initialForm(valueDesc!, globals?.[variable]) : '');
    setValueText(globals?.[variable] !== undefined ? toInputText(globals[variable]!) : '');
  }, [variable, valueDesc, valueFormable, globals]);

  // Clicking an entry fills the form with it, ready to change and update. Only a new click (nonce) refills
  // the form: the types and a globals map's values come with every snapshot, and must not undo the user's typing.
  const filledNonce = useRef<number | null>(null);
  useEffect(() => {
    if (!prefill || filledNonce.current === prefill.nonce) return;
    filledNonce.current = prefill.nonce;
    if (globals && typeof prefill.key === 'string') {
      shownVariable.current = prefill.key;
      setVariable(prefill.key);
      const desc = meta.valueDesc?.fields?.find((f) => f.name === prefill.key)?.type ?? null;
      setValueForm(formSupported(desc) ? initialForm(desc, prefill.value) : '');
    } else {
      if (keyFormable) setKeyForm(initialForm(keyDesc!, prefill.key));
      if (valueFormable) setValueForm(initialForm(valueDesc!, prefill.value));
    }
    setKeyText(globals ? String(prefill.key) : toInputText(prefill.key));
    setValueText(toInputText(prefill.value));
    setError(null);
    setDone(null);
    const first = formRef.current?.querySelector<HTMLElement>(`[aria-label^="Value"]`);
    first?.focus({ preventScroll: true });
  }, [prefill, globals, meta.valueDesc, keyFormable, keyDesc, valueFormable, valueDesc]);

  const keyByForm = mode === 'form' && keyFormable;
  const valueByForm = mode === 'form' && valueFormable;

  const read = (withValue: boolean): Read => {
    let key: Json;
    if (globals) {
      key = variable;
    } else if (keyByForm) {
      const checked = checkForm(keyDesc!, keyForm, 'Key');
      if (!checked.ok) return { ok: false, error: checked.error, path: `key:${checked.path}` };
      key = checked.value;
    } else {
      const parsed = parseJsonInput(keyText);
      if (!parsed.ok) return { ok: false, error: `Key: ${parsed.error}`, path: 'key:' };
      key = parsed.value;
    }
    if (!withValue) return { ok: true, key, value: undefined };
    if (valueByForm) {
      const checked = checkForm(valueDesc!, valueForm, 'Value');
      if (!checked.ok) return { ok: false, error: checked.error, path: `value:${checked.path}` };
      return { ok: true, key, value: checked.value };
    }
    const parsed = parseJsonInput(valueText);
    if (!parsed.ok) return { ok: false, error: `Value: ${parsed.error}`, path: 'value:' };
    return { ok: true, key, value: parsed.value };
  };

  const act = async (action: Action) => {
    setDone(null);
    const input = read(action !== 'delete');
    if (!input.ok) {
      const [part, path] = input.path ? (input.path.split(/:(.*)/s) as ['key' | 'value', string]) : [null, null];
      setError({ text: input.error, path, part });
      return;
    }
    const shown = globals ? String(input.key) : formatJson(input.key, keyDesc);
    const id = JSON.stringify(input.key);
    if (action === 'insert' && hasKey(id)) {
      setError({ text: `${map} already has the key ${shown}: Update entry changes its value.`, path: null, part: null });
      return;
    }
    let write = { key: input.key, value: input.value as Json };
    if (globals) {
      if (!(variable in globals)) {
        setError({ text: `There is no global named ${JSON.stringify(variable)} in ${map}.`, path: null, part: null });
        return;
      }
      // The map's one value holds every global: change the one named, keep the others.
      write = { key: globalsKey!, value: { ...globals, [variable]: write.value } };
    }
    setBusy(true);
    const result = action === 'delete' ? await onDelete(map, write.key) : await onWrite(map, write.key, write.value);
    setBusy(false);
    if (!result.ok) {
      setError({ text: result.error.message, path: null, part: null });
      return;
    }
    setError(null);
    setDone(action === 'delete' ? `Deleted ${shown}.` : action === 'insert' ? `Inserted ${shown}.` : `Wrote ${shown}.`);
  };

  const switchMode = (next: Mode) => {
    if (next === mode) return;
    // Carry what was typed across: the form's values as JSON, or the JSON into the form when it reads.
    if (next === 'json') {
      if (keyByForm) {
        const checked = checkForm(keyDesc!, keyForm, 'Key');
        if (checked.ok) setKeyText(toInputText(checked.value));
      }
      if (valueByForm) {
        const checked = checkForm(valueDesc!, valueForm, 'Value');
        if (checked.ok) setValueText(toInputText(checked.value));
      }
    } else {
      const key = parseJsonInput(keyText);
      if (keyFormable && key.ok) setKeyForm(initialForm(keyDesc!, key.value));
      const value = parseJsonInput(valueText);
      if (valueFormable && value.ok) setValueForm(initialForm(valueDesc!, value.value));
    }
    setMode(next);
    setError(null);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act('update');
  };

  const canInsertDelete = !globals && HASH_TYPES.has(meta.type);
  const invalid = (part: 'key' | 'value') => (error?.part === part ? error.path : null);

  return (
    <form ref={formRef} className={styles.entryForm} onSubmit={submit} aria-label={`Write an entry to ${map}`} noValidate>
      {(keyFormable || valueFormable) && (
        <div className={`${ui.segments} ${styles.entryMode}`} role="radiogroup" aria-label={`Editor for ${map}`}>
          <Segment
            name={modeGroup}
            checked={mode === 'form'}
            className={styles.segment}
            onSelect={() => switchMode('form')}
            title="Inputs generated from the BTF types"
          >
            Form
          </Segment>
          <Segment
            name={modeGroup}
            checked={mode === 'json'}
            className={styles.segment}
            onSelect={() => switchMode('json')}
            title="Type the key and value as JSON"
          >
            JSON
          </Segment>
        </div>
      )}
      <div className={styles.entryPart}>
        {!(keyByForm && ['struct', 'array'].includes(fieldKind(keyDesc!))) && <span className={styles.entryLabel}>{globals ? 'variable' : 'key'}</span>}
        {globals ? (
          <select aria-label={`Variable in ${map}`} value={variable} onChange={(e) => setVariable(e.target.value)} className={styles.tfInput}>
            {variables.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        ) : keyByForm ? (
          <TypeFields
            desc={keyDesc!}
            value={keyForm}
            onChange={(path, v) => setKeyForm((f) => setAt(f, path, v))}
            root="Key"
            map={map}
            invalidPath={invalid('key')}
          />
        ) : (
          <input
            aria-label={`Key for ${map}`}
            className={`${styles.tfInput} ${styles.tfJson}`}
            value={keyText}
            onChange={(e) => setKeyText(e.target.value)}
            placeholder={placeholderFor(keyDesc)}
            title={`Key: ${describeDesc(meta.keyType, keyDesc, meta.keySize)}, as JSON; a plain word is taken as a string`}
            spellCheck={false}
            autoComplete="off"
          />
        )}
      </div>
      <div className={styles.entryPart}>
        {/* A struct or array says "value" in its own legend. */}
        {!(valueByForm && ['struct', 'array'].includes(fieldKind(valueDesc!))) && <span className={styles.entryLabel}>value</span>}
        {valueByForm ? (
          <TypeFields
            desc={valueDesc!}
            value={valueForm}
            onChange={(path, v) => setValueForm((f) => setAt(f, path, v))}
            root="Value"
            map={map}
            invalidPath={invalid('value')}
          />
        ) : (
          <input
            aria-label={`Value for ${map}`}
            className={`${styles.tfInput} ${styles.tfJson}`}
            value={valueText}
            onChange={(e) => setValueText(e.target.value)}
            placeholder={placeholderFor(valueDesc)}
            title={`Value: ${describeDesc(globals ? (valueDesc?.name ?? null) : meta.valueType, valueDesc, meta.valueSize)}, as JSON${meta.perCpu ? ' (written to CPU 0, the others zero)' : ''}`}
            spellCheck={false}
            autoComplete="off"
          />
        )}
        {meta.perCpu && <span className={`${ui.muted} ${styles.entryNote}`}>written to CPU 0, the others 0</span>}
      </div>
      <div className={styles.entryActions}>
        <button type="submit" className={`${styles.toolButton} ${ui.toolButton}`} disabled={busy} title="Write the value under this key (bpf_map_update_elem)">
          Update entry
        </button>
        {canInsertDelete && (
          <>
            <button
              type="button"
              className={`${styles.toolButton} ${ui.toolButton}`}
              disabled={busy}
              onClick={() => void act('insert')}
              title="Add the entry; refused if the key is already there"
            >
              Insert entry
            </button>
            <button
              type="button"
              className={`${styles.toolButton} ${ui.toolButton}`}
              disabled={busy}
              onClick={() => void act('delete')}
              title="Delete the entry with this key"
            >
              Delete entry
            </button>
          </>
        )}
        {done && !error && (
          <span className={`${ui.muted} ${styles.entryDone}`} role="status">
            {done}
          </span>
        )}
      </div>
      {error && (
        <p className={ui.formError} role="alert">
          {error.text}
        </p>
      )}
    </form>
  );
}
