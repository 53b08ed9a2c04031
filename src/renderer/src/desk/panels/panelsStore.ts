/**
 * What lies over or beside the desk and says something to the astronomer: the help, the Stats
 * panel, the one side panel (Model, Export, Night) and the notice and error lines.
 */
import { ExternalStore } from '../externalStore';

/** The panel beside the desk (one at a time): the model, export/import, opening another night. */
export type SidePanel = 'model' | 'export' | 'night';

export interface PanelsSnapshot {
  helpOpen: boolean;
  statsOpen: boolean;
  sidePanel: SidePanel | null;
  /** A short line for the astronomer (e.g. a label that differs from the one given with the data). */
  notice: string | null;
  error: string | null;
}

export class PanelsStore extends ExternalStore<PanelsSnapshot> {
  constructor() {
    super({ helpOpen: false, statsOpen: false, sidePanel: null, notice: null, error: null });
  }

  set(patch: Partial<PanelsSnapshot>): void {
    // Every label clears or sets the notice: no render when it stays as it was.
    const keys = Object.keys(patch) as (keyof PanelsSnapshot)[];
    if (keys.every((k) => this.snap[k] === patch[k])) return;
    this.update(patch);
  }

  /** Open a side panel, or close it if it is the one open. */
  toggleSide(panel: SidePanel): void {
    this.update({ sidePanel: this.snap.sidePanel === panel ? null : panel });
  }

  /** Esc: close help and the side panel, clear the messages (the Stats panel stays, as before). */
  closeAll(): void {
    this.update({ helpOpen: false, sidePanel: null, notice: null, error: null });
  }
}
