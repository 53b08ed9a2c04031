/**
 * Sends the labels Dexie holds and main has not acknowledged to main's journal (`labelsPut`),
 * off the key path: the desk writes to Dexie, moves on, and kicks this. A batch is marked
 * acknowledged only when main answers (after its fsync); a failure is retried with a growing
 * pause (the host restarting, the socket reconnecting), and every open of a night sends what is
 * left. Only the open night's labels go (main refuses labels for another night); the others wait
 * for their night to be opened.
 */
import type { CallArgs } from '../../../../shared/contract';
import { toHumanLabel } from './humanLabels';
import type { LabelStore, OutboxEntry } from './labelStore';

export interface OutboxStatus {
  /** Writes of every night main has not acknowledged yet. */
  unsent: number;
  /** The last send's failure (null once one succeeds). */
  error: string | null;
  /** Labels main acknowledged this session. */
  acknowledged: number;
  /** A send is due or under way (`unsent` is re-counted when it ends). */
  busy: boolean;
}

export interface OutboxDeps {
  store: LabelStore;
  send: (args: CallArgs<'labelsPut'>) => Promise<unknown>;
  /** The night main has open (the only one it takes labels for), null while none. */
  workspace: () => string | null;
  /** Pause before the first send, to batch a burst of keys (ms). */
  delayMs?: number;
}

/** Main's call takes at most 100 000; smaller batches keep one answer quick. */
export const BATCH = 2000;
const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export class LabelOutbox {
  private listeners = new Set<() => void>();
  private snap: OutboxStatus = { unsent: 0, error: null, acknowledged: 0, busy: false };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private retryMs = 0;
  private ackNo = 0;
  /** Per candidate (workspace + id), the number of the acknowledgement that last settled it. */
  private acks = new Map<string, number>();

  constructor(private readonly deps: OutboxDeps) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  getSnapshot = (): OutboxStatus => this.snap;

  private set(patch: Partial<OutboxStatus>): void {
    const next = { ...this.snap, ...patch };
    if (
      next.unsent === this.snap.unsent &&
      next.error === this.snap.error &&
      next.acknowledged === this.snap.acknowledged &&
      next.busy === this.snap.busy
    )
      return;
    this.snap = next;
    for (const l of this.listeners) l();
  }

  /**
   * A label was written to Dexie: send soon (a burst of keys goes in one batch), once the page is
   * idle, so the send and its bookkeeping come after the next stamps are drawn, not before.
   */
  kick(): void {
    // While waiting out a failure, the retry already scheduled will take this one too.
    if (this.timer !== null || this.retryMs > 0) return;
    // Once per burst of keys; React draws it with the label's own update.
    this.set({ busy: true });
    this.timer = setTimeout(() => {
      const go = () => {
        this.timer = null;
        void this.flush();
      };
      if (typeof requestIdleCallback === 'function') requestIdleCallback(go, { timeout: 1000 });
      else go();
    }, this.deps.delayMs ?? 40);
  }

  /** Send everything due now (a night opened, a reconnect): forgets any pause after a failure. */
  flushNow(): Promise<void> {
    this.retryMs = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    return this.flush();
  }

  /** A mark to ask later which candidates were acknowledged since (see `settledSince`). */
  mark(): number {
    return this.ackNo;
  }

  /** Candidates of `workspace` whose write main acknowledged after `mark`. */
  settledSince(mark: number, workspace: string): Set<string> {
    const out = new Set<string>();
    const prefix = `${workspace}\n`;
    for (const [key, no] of this.acks)
      if (no > mark && key.startsWith(prefix)) out.add(key.slice(prefix.length));
    return out;
  }

  /** One flush at a time; a kick during one runs another after it. */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.set({ busy: true });
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.sendAll();
        } while (this.again && this.retryMs === 0);
      } finally {
        this.running = null;
        // Still busy while a send is scheduled (a kick meanwhile, or a retry after a failure).
        this.set({ busy: this.timer !== null });
      }
    })();
    return this.running;
  }

  /** Wait until nothing is due for the open night (tests; a clean stop). */
  async drain(): Promise<void> {
    await this.flushNow();
  }

  private async sendAll(): Promise<void> {
    const ws = this.deps.workspace();
    try {
      while (ws) {
        const batch = await this.deps.store.outgoing(ws, BATCH);
        if (batch.length === 0) break;
        const labels = batch.flatMap((b) => (b.record ? [toHumanLabel(b.record)] : []));
        const removed = batch.flatMap((b) =>
          b.entry.removedAt !== null
            ? [{ candidateId: b.entry.candidateId, at: new Date(b.entry.removedAt).toISOString() }]
            : [],
        );
        // An entry whose label is gone with no removal recorded has nothing to send: it is settled.
        if (labels.length || removed.length) await this.deps.send({ labels, removed });
        await this.deps.store.acknowledge(batch.map((b) => b.entry));
        this.noteAcks(batch.map((b) => b.entry));
        this.retryMs = 0;
        this.set({ error: null, acknowledged: this.snap.acknowledged + labels.length + removed.length });
        if (batch.length < BATCH) break;
      }
    } catch (e) {
      this.retryMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, this.retryMs * 2));
      this.set({
        error: `Labels not yet kept by the app (retrying in ${Math.round(this.retryMs / 1000)} s): ${(e as Error).message}`,
      });
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.retryMs);
    }
    await this.refreshCount();
  }

  private noteAcks(entries: readonly OutboxEntry[]): void {
    this.ackNo++;
    for (const e of entries) this.acks.set(`${e.workspace}\n${e.candidateId}`, this.ackNo);
  }

  /** Re-count what is due (over every night), for the status bar. */
  async refreshCount(): Promise<void> {
    try {
      this.set({ unsent: await this.deps.store.pendingCount() });
    } catch {
      // The count is only shown; the next send counts again.
    }
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
