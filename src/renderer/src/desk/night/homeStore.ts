/**
 * The home as the desk sees it (homeInfo): its nights with their tallies, the active model, the
 * night opened last. Re-read whenever main says a night changed or a job ended, so the Night
 * panel's list and the season's tally follow ingests, scorings and retrains.
 */
import type { HomeInfo, SkysiftBridge } from '../../../../shared/contract';

export interface HomeSnapshot {
  info: HomeInfo | null;
  error: string | null;
}

export class HomeStore {
  private listeners = new Set<() => void>();
  private snap: HomeSnapshot = { info: null, error: null };
  private inFlight: Promise<void> | null = null;
  private again = false;

  constructor(private readonly bridge: SkysiftBridge) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  getSnapshot = (): HomeSnapshot => this.snap;

  private set(patch: Partial<HomeSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  connect(): () => void {
    const offs = [
      this.bridge.on('workspaceChanged', () => void this.refresh()),
      this.bridge.on('jobFinished', () => void this.refresh()),
    ];
    return () => offs.forEach((off) => off());
  }

  /** One read at a time; a request during one reads again after it (events come in bursts). */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      try {
        do {
          this.again = false;
          try {
            this.set({ info: await this.bridge.invoke('homeInfo', {}), error: null });
          } catch (e) {
            this.set({ error: (e as Error).message });
          }
        } while (this.again);
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }
}
