import { describe, expect, it } from 'vitest';
import {
  ActionRegistry,
  KeyClashError,
  keyLabel,
  keyName,
  type Action,
} from '../../../src/renderer/src/desk/actions/registry';
import { deskActions } from '../../../src/renderer/src/desk/actions/deskActions';

const act = (id: string, keys: string[]): Action<null> => ({
  id,
  label: id,
  keys,
  group: 'g',
  perform: () => undefined,
});

describe('the action registry', () => {
  it('finds an action by any of its keys, letters case-insensitively', () => {
    const r = new ActionRegistry<null>()
      .register(act('real', ['r']))
      .register(act('undo', ['u', 'Backspace']));
    expect(r.forKey('R')?.id).toBe('real');
    expect(r.forKey('r')?.id).toBe('real');
    expect(r.forKey('Backspace')?.id).toBe('undo');
    expect(r.forKey('x')).toBeUndefined();
  });
  it('refuses a key bound twice, naming both actions', () => {
    const r = new ActionRegistry<null>().register(act('real', ['r']));
    expect(() => r.register(act('rerun', ['R']))).toThrow(KeyClashError);
    expect(() => r.register(act('rerun', ['R']))).toThrow(/"r" of action "rerun" is already bound to "real"/);
    // The refused action left nothing behind.
    expect(r.get('rerun')).toBeUndefined();
  });
  it('refuses an id registered twice and a key listed twice by one action', () => {
    const r = new ActionRegistry<null>().register(act('a', ['a']));
    expect(() => r.register(act('a', ['z']))).toThrow(/twice/);
    expect(() => r.register(act('b', ['b', 'B']))).toThrow(/twice/);
  });
  it("registers the desk's own actions without a clash, with the keys the issue asks for", () => {
    const r = new ActionRegistry<unknown>();
    for (const a of deskActions()) r.register(a as Action<unknown>);
    const want: Record<string, string> = {
      r: 'label-real',
      b: 'label-bogus',
      s: 'label-skip',
      u: 'undo',
      Backspace: 'undo',
      y: 'redo',
      ArrowDown: 'next',
      j: 'next',
      ArrowUp: 'previous',
      k: 'previous',
      '?': 'help',
    };
    for (const [key, id] of Object.entries(want)) expect(r.forKey(key)?.id, key).toBe(id);
    for (const d of '123456789') expect(r.forKey(d)?.id).toMatch(/^subclass-/);
    // The top bar's buttons run these, and show their keys from here.
    for (const id of ['night-panel', 'model-panel', 'export-panel', 'stats', 'theme', 'help'])
      expect(r.get(id)?.keys.length, id).toBeGreaterThan(0);
  });
  it('reads keys from events, leaving Ctrl/Alt/Meta chords to the browser', () => {
    const ev = (key: string, mods: Partial<Record<'ctrlKey' | 'altKey' | 'metaKey', boolean>> = {}) => ({
      key,
      ctrlKey: false,
      altKey: false,
      metaKey: false,
      ...mods,
    });
    expect(keyName(ev('R'))).toBe('r');
    expect(keyName(ev('?'))).toBe('?');
    expect(keyName(ev('r', { ctrlKey: true }))).toBeNull();
    expect(keyLabel('ArrowDown')).toBe('Down');
    expect(keyLabel('j')).toBe('J');
  });
});
