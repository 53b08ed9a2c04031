import { describe, expect, it } from 'vitest';
import {
  ActionRegistry,
  KeyClashError,
  keyLabel,
  keyName,
  type Action,
} from '../../../src/renderer/src/desk/actions/registry';
import { UndoStack } from '../../../src/renderer/src/desk/actions/undoStack';
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
      ArrowDown: 'next',
      j: 'next',
      ArrowUp: 'previous',
      k: 'previous',
      '?': 'help',
    };
    for (const [key, id] of Object.entries(want)) expect(r.forKey(key)?.id, key).toBe(id);
    for (const d of '123456789') expect(r.forKey(d)?.id).toMatch(/^subclass-/);
    // Every action that changes data can be taken back.
    for (const a of r.all())
      if (a.id.startsWith('label-') || a.id.startsWith('subclass-')) expect(a.undo).toBeTypeOf('function');
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

describe('the undo stack', () => {
  it('undoes any number of steps, newest first', () => {
    const s = new UndoStack<number>();
    for (let i = 0; i < 1000; i++) s.push({ actionId: 'a', record: i });
    const out: number[] = [];
    for (let step = s.pop(); step; step = s.pop()) out.push(step.record);
    expect(out.length).toBe(1000);
    expect(out[0]).toBe(999);
    expect(out[999]).toBe(0);
  });
  it('keeps the newest steps past its limit, and takes a failed undo back', () => {
    const s = new UndoStack<number>(3);
    for (let i = 0; i < 5; i++) s.push({ actionId: 'a', record: i });
    expect(s.size).toBe(3);
    const top = s.pop()!;
    s.restore(top);
    expect(s.peek()?.record).toBe(4);
  });
});
