/**
 * On open of a night, the desk's labels (Dexie, with its outbox) meet main's journal, the system
 * of record. Pure: it says what to write where; the label store applies it in one transaction.
 *
 * - main has a label Dexie lacks: it comes into Dexie (given in another browser, another port, a
 *   fresh profile, the CLI), unless Dexie took it back later and main has not heard yet;
 * - Dexie has a label main lacks: it is sent again (unacknowledged, or lost by main): never dropped;
 * - both hold one and they differ: the later `labelledAt` wins, and Dexie's is sent if it is later
 *   (same time, different word: main's, as the record).
 */
import type { HumanLabel } from '../../../../shared/labels';
import { fromHumanLabel } from './humanLabels';
import type { LabelRecord, OutboxEntry } from './labelStore';

export interface ReconcileInput {
  workspace: string;
  local: readonly LabelRecord[];
  pending: readonly OutboxEntry[];
  main: readonly HumanLabel[];
  /**
   * Candidates whose write main acknowledged after `main` was read: that list may predate them,
   * so they are left as Dexie has them.
   */
  settledSince?: ReadonlySet<string>;
}

export interface ReconcileResult {
  /** Main's labels to write into Dexie (acknowledged). */
  fromMain: LabelRecord[];
  /** Outbox entries main already holds the same word for. */
  settled: string[];
  /** Candidates whose Dexie label is due to main (again). */
  resend: string[];
  /** The night's labels once applied. */
  labels: LabelRecord[];
}

const timeOf = (h: HumanLabel): number => {
  const t = Date.parse(h.labelledAt);
  return Number.isFinite(t) ? t : 0;
};

/** The same word: same class, sub-class and time (the rest comes with it). */
function sameWord(r: LabelRecord, h: HumanLabel): boolean {
  return r.label === h.label && (r.subclass || null) === (h.subclass || null) && r.at === timeOf(h);
}

export function reconcileLabels(input: ReconcileInput): ReconcileResult {
  const { workspace, local, pending, main, settledSince } = input;
  const localById = new Map(local.map((r) => [r.candidateId, r]));
  const pendingById = new Map(pending.map((e) => [e.candidateId, e]));
  const mainById = new Map(main.map((h) => [h.candidateId, h]));
  const out: ReconcileResult = { fromMain: [], settled: [], resend: [], labels: [] };
  const merged = new Map(localById);

  for (const [id, h] of mainById) {
    if (settledSince?.has(id)) continue;
    const r = localById.get(id);
    const p = pendingById.get(id);
    const mainAt = timeOf(h);
    if (!r) {
      // Taken back here after main's label was given: the removal stands (it is in the outbox).
      if (p && p.removedAt !== null && p.removedAt >= mainAt) continue;
      const record = fromHumanLabel(h, workspace);
      out.fromMain.push(record);
      merged.set(id, record);
      continue;
    }
    if (sameWord(r, h)) {
      if (p) out.settled.push(id);
      continue;
    }
    if (r.at > mainAt) {
      if (!p) out.resend.push(id);
    } else {
      const record = fromHumanLabel(h, workspace);
      out.fromMain.push(record);
      merged.set(id, record);
    }
  }
  for (const r of local) {
    if (mainById.has(r.candidateId) || settledSince?.has(r.candidateId)) continue;
    // Main lacks it: unacknowledged, or lost by main. Either way it goes (again), never dropped.
    if (!pendingById.has(r.candidateId)) out.resend.push(r.candidateId);
  }
  out.labels = [...merged.values()];
  return out;
}
