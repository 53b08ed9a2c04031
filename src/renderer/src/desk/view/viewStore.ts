/**
 * How the astronomer likes to look at stamps, kept across launches: the stretch settings and the
 * theme (the queue order is the queue's, see queueStore.ts). Saved to localStorage and, durably,
 * to IndexedDB (see `savePref`).
 */
import { ExternalStore } from '../externalStore';
import { DEFAULT_VIEW, savePref, type ViewSettings } from '../stamps/viewSettings';

export type Theme = 'dark' | 'light';

export interface ViewSnapshot {
  settings: ViewSettings;
  theme: Theme;
}

export const VIEW_KEY = 'skysift.view';
export const THEME_KEY = 'skysift.theme';

function loadSettings(): ViewSettings {
  try {
    const raw = localStorage.getItem(VIEW_KEY);
    return raw ? { ...DEFAULT_VIEW, ...(JSON.parse(raw) as Partial<ViewSettings>) } : DEFAULT_VIEW;
  } catch {
    // A corrupt value must not keep the desk from opening: the defaults stand in.
    return DEFAULT_VIEW;
  }
}

export class ViewStore extends ExternalStore<ViewSnapshot> {
  /** The zoom on screen (differs from the setting when that is 0, "fit"); not a snapshot field,
   * as it changes on every resize and nothing is drawn from it. */
  effectiveZoom = 4;

  constructor() {
    super({
      settings: loadSettings(),
      theme: localStorage.getItem(THEME_KEY) === 'light' ? 'light' : 'dark',
    });
    document.documentElement.dataset.theme = this.snap.theme;
  }

  setSettings(patch: Partial<ViewSettings>): void {
    const settings = { ...this.snap.settings, ...patch };
    savePref(VIEW_KEY, JSON.stringify(settings));
    this.update({ settings });
  }

  setTheme(theme: Theme): void {
    savePref(THEME_KEY, theme);
    document.documentElement.dataset.theme = theme;
    this.update({ theme });
  }

  toggleTheme(): void {
    this.setTheme(this.snap.theme === 'dark' ? 'light' : 'dark');
  }

  setEffectiveZoom = (zoom: number): void => {
    this.effectiveZoom = zoom;
  };

  /** Values whose durable copy was newer than localStorage's at start-up (see `newerDurablePrefs`). */
  restore(newer: ReadonlyMap<string, string>): void {
    const view = newer.get(VIEW_KEY);
    if (view) this.setSettings(JSON.parse(view) as Partial<ViewSettings>);
    const theme = newer.get(THEME_KEY);
    if (theme === 'dark' || theme === 'light') this.setTheme(theme);
  }
}
