/**
 * Every user command of the desk is one action object: its id, what the help calls it, its keys,
 * what it does and how to take it back (the Excalidraw shape). Shortcuts are data, so the help
 * overlay, the buttons' tooltips and the key handler all read the same table, and a key bound
 * twice is refused when the second action registers, not discovered at 3 a.m.
 */

export interface Action<Ctx, Undo = unknown> {
  id: string;
  /** What the help overlay and the button titles say. */
  label: string;
  /** Normalised key names (see `keyName`): 'r', 'Backspace', 'ArrowDown', '?', '1'. */
  keys: readonly string[];
  /** For grouping in the help overlay. */
  group: string;
  /**
   * Do it. Returns what `undo` needs to take it back, or undefined when there is nothing to undo
   * (navigation, view changes, or an action that found nothing to act on).
   */
  perform(ctx: Ctx): Undo | undefined | Promise<Undo | undefined>;
  undo?(ctx: Ctx, record: Undo): void | Promise<void>;
}

export class KeyClashError extends Error {
  constructor(key: string, existing: string, incoming: string) {
    super(`key "${key}" of action "${incoming}" is already bound to "${existing}"`);
    this.name = 'KeyClashError';
  }
}

export class ActionRegistry<Ctx> {
  private readonly byId = new Map<string, Action<Ctx, unknown>>();
  private readonly byKey = new Map<string, Action<Ctx, unknown>>();

  register<U>(action: Action<Ctx, U>): this {
    if (this.byId.has(action.id)) throw new Error(`action "${action.id}" is registered twice`);
    const keys = action.keys.map(normaliseBinding);
    for (const k of keys) {
      const existing = this.byKey.get(k);
      if (existing) throw new KeyClashError(k, existing.id, action.id);
    }
    // Also refuse a key repeated inside one action's own list: a sign of a typo.
    if (new Set(keys).size !== keys.length) throw new Error(`action "${action.id}" lists a key twice`);
    const a = action as Action<Ctx, unknown>;
    this.byId.set(action.id, a);
    for (const k of keys) this.byKey.set(k, a);
    return this;
  }

  get(id: string): Action<Ctx, unknown> | undefined {
    return this.byId.get(id);
  }

  forKey(key: string): Action<Ctx, unknown> | undefined {
    return this.byKey.get(normaliseBinding(key));
  }

  all(): Action<Ctx, unknown>[] {
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
