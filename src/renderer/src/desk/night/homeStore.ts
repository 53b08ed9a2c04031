/**
 * The home as the desk sees it (homeInfo): its nights with their tallies, the active model, the
 * night opened last. Re-read whenever main says a night changed or a job ended, so the Night
 * panel's list and the season's tally follow ingests, scorings and retrains.
 */
import type { HomeInfo, SkysiftBridge } from '../../../../shared/contract';
import { ExternalStore } from '../externalStore';

export interface HomeSnapshot {
  info: HomeInfo | null;
  error: string | null;
}

export class HomeStore extends ExternalStore<HomeSnapshot> {
  private inFlight: Promise<void> | null = null;
  private again = false;

  constructor(private readonly bridge: SkysiftBridge) {
    super({ info: null, error: null });
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
            this.update({ info: await this.bridge.invoke('homeInfo', {}), error: null });
          } catch (e) {
            this.update({ error: (e as Error).message });
          }
        } while (this.again);
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }
}
