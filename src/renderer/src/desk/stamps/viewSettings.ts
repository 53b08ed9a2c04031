/**
 * The one stretch control of the desk, applied to all three stamps. The difference gets symmetric
 * limits and a diverging colour map by default (zero is white, negative blue, positive red), so a
 * dipole or a negative subtraction is obvious; "same" draws it like the other two.
 */
import type { StretchFn, StretchSpec } from '../../../../shared/stretch';

export type LimitsKind = 'zscale' | 'percentile' | 'minmax';
export const STRETCHES: readonly StretchFn[] = ['linear', 'log', 'sqrt', 'asinh'];
export const LIMITS: readonly LimitsKind[] = ['zscale', 'percentile', 'minmax'];
export const ZOOMS: readonly number[] = [1, 2, 3, 4, 5, 6, 8, 10, 12];

export interface ViewSettings {
  stretch: StretchFn;
  limits: LimitsKind;
  /** For `percentile` limits: the central percent kept. */
  percent: number;
  invert: boolean;
  difference: 'diverging' | 'same';
  /**
   * Screen pixels per stamp pixel; an integer, so every stamp pixel is the same size on screen.
   * 0 = fit: the largest integer zoom at which the three stamps fit side by side.
   */
  zoom: number;
}

export const DEFAULT_VIEW: ViewSettings = {
  stretch: 'linear',
  limits: 'zscale',
  percent: 99.5,
  invert: false,
  difference: 'diverging',
  zoom: 0,
};

/** The largest integer zoom (1..6) at which three stamps of `stampWidth` fit in `available` px. */
export function fitZoom(available: number, stampWidth: number): number {
  // Per panel: border + padding (~10 px) and the gap between panels (~10 px).
  const perPanel = Math.floor((available - 3 * 20) / 3);
  return Math.max(1, Math.min(6, Math.floor(perPanel / Math.max(1, stampWidth))));
}

export type PanelKind = 'search' | 'template' | 'difference';

export function stretchFor(
  kind: PanelKind,
  v: ViewSettings,
): { spec: StretchSpec; colormap: 'gray' | 'diverging' } {
  const base = { stretch: v.stretch, invert: v.invert };
  if (kind === 'difference' && v.difference === 'diverging') {
    const from = v.limits === 'percentile' ? ('percentile' as const) : ('zscale' as const);
    return {
      spec: { ...base, limits: { kind: 'symmetric', from, percent: v.percent } },
      colormap: 'diverging',
    };
  }
  const limits: StretchSpec['limits'] =
    v.limits === 'percentile' ? { kind: 'percentile', percent: v.percent } : { kind: v.limits };
  return { spec: { ...base, limits }, colormap: 'gray' };
}

export function cycle<T>(values: readonly T[], current: T, step = 1): T {
  const i = values.indexOf(current);
  return values[((((i < 0 ? 0 : i) + step) % values.length) + values.length) % values.length];
}

/**
 * Desk preferences (view settings, theme, queue order) kept across launches. localStorage gives them
 * synchronously at start-up, but Chromium commits it to disk seconds later, so a setting changed just
 * before the window closed (or the browser died) came back as an older state. Every change is
 * therefore also written to IndexedDB with strict durability (as the labels are), stamped with its
 * time; at start-up a durable value newer than localStorage's wins.
 */
const PREFS_DB = 'skysift-prefs';
const PREFS_STORE = 'prefs';
let prefsDb: Promise<IDBDatabase | null> | null = null;

function openPrefs(): Promise<IDBDatabase | null> {
  const idb = globalThis.indexedDB;
  if (!idb) return Promise.resolve(null);
  prefsDb ??= new Promise((resolve) => {
    const req = idb.open(PREFS_DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(PREFS_STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    // Without IndexedDB the preferences still live in localStorage.
    req.onerror = () => resolve(null);
  });
  return prefsDb;
}

interface StoredPref {
  key: string;
  value: string;
  at: number;
}

const stampKey = (key: string) => `${key}@`;

/** Save a preference now: localStorage (read at start-up) and IndexedDB (durable). */
export function savePref(key: string, value: string): void {
  const at = Date.now();
  localStorage.setItem(key, value);
  localStorage.setItem(stampKey(key), String(at));
  void openPrefs().then((db) => {
    if (!db) return;
    const tx = db.transaction(PREFS_STORE, 'readwrite', { durability: 'strict' });
    tx.objectStore(PREFS_STORE).put({ key, value, at } satisfies StoredPref);
  });
}

/** Preferences whose durable copy is newer than what localStorage gave at start-up. */
export async function newerDurablePrefs(): Promise<Map<string, string>> {
  const db = await openPrefs();
  const out = new Map<string, string>();
  if (!db) return out;
  const all = await new Promise<StoredPref[]>((resolve) => {
    const req = db.transaction(PREFS_STORE).objectStore(PREFS_STORE).getAll();
    req.onsuccess = () => resolve(req.result as StoredPref[]);
    req.onerror = () => resolve([]);
  });
  for (const p of all) {
    const local = Number(localStorage.getItem(stampKey(p.key)) ?? 0);
    if (p.at > local && localStorage.getItem(p.key) !== p.value) out.set(p.key, p.value);
  }
  return out;
}
