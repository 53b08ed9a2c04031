/**
 * Every user command of the desk is one action object: its id, what the help calls it, its keys,
 * what it does (the Excalidraw shape; taking a label back is the label history's). Shortcuts are
 * data, so the help overlay, the buttons, their tooltips and the key handler all read one table,
 * and a key bound twice is refused when the second action registers, not discovered at 3 a.m.
 */

export interface Action<Ctx> {
  id: string;
  /** What the help overlay and the button titles say. */
  label: string;
  /** Normalised key names (see `keyName`): 'r', 'Backspace', 'ArrowDown', '?', '1'. */
  keys: readonly string[];
  /** For grouping in the help overlay. */
  group: string;
  /** Do it. Label actions leave their undo in the label history (see labels/labelHistory.ts). */
  perform(ctx: Ctx): unknown;
}

export class KeyClashError extends Error {
  constructor(key: string, existing: string, incoming: string) {
    super(`key "${key}" of action "${incoming}" is already bound to "${existing}"`);
    this.name = 'KeyClashError';
  }
}

export class ActionRegistry<Ctx> {
  private readonly byId = new Map<string, Action<Ctx>>();
  private readonly byKey = new Map<string, Action<Ctx>>();

  register(action: Action<Ctx>): this {
    if (this.byId.has(action.id)) throw new Error(`action "${action.id}" is registered twice`);
    const keys = action.keys.map(normaliseBinding);
    for (const k of keys) {
      const existing = this.byKey.get(k);
      if (existing) throw new KeyClashError(k, existing.id, action.id);
    }
    // Also refuse a key repeated inside one action's own list: a sign of a typo.
    if (new Set(keys).size !== keys.length) throw new Error(`action "${action.id}" lists a key twice`);
    this.byId.set(action.id, action);
    for (const k of keys) this.byKey.set(k, action);
    return this;
  }

  get(id: string): Action<Ctx> | undefined {
    return this.byId.get(id);
  }

  forKey(key: string): Action<Ctx> | undefined {
    return this.byKey.get(normaliseBinding(key));
  }

  all(): Action<Ctx>[] {
    return [...this.byId.values()];
  }
}

/** Letters are case-insensitive ('R' and 'r' are one key); named keys keep their DOM name. */
export function normaliseBinding(key: string): string {
  return key.length === 1 ? key.toLowerCase() : key;
}

/** The binding a keyboard event asks for; null for chords with Ctrl/Alt/Meta (left to the browser). */
export function keyName(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'altKey' | 'metaKey'>): string | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  if (e.key === 'Spacebar') return ' ';
  return normaliseBinding(e.key);
}

/** How a key is written in the help and tooltips. */
export function keyLabel(key: string): string {
  const names: Record<string, string> = {
    ArrowDown: 'Down',
    ArrowUp: 'Up',
    ArrowLeft: 'Left',
    ArrowRight: 'Right',
    Backspace: 'Backspace',
    Escape: 'Esc',
    ' ': 'Space',
    PageDown: 'PgDn',
    PageUp: 'PgUp',
  };
  return names[key] ?? (key.length === 1 ? key.toUpperCase() : key);
}
