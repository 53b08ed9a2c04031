/**
 * The desk's label records (Dexie) as the shared HumanLabel that crosses to main (the journal,
 * export, import) and back. Training reads main's journal: no label travels for it. The two
 * differ on purpose: the desk keeps milliseconds and the model name it showed; the files speak
 * ISO times and say who labelled.
 */
import type { HumanLabel } from '../../../../shared/labels';
import { subclassById } from './labelKinds';
import type { LabelRecord } from './labelStore';

/** Who labelled, when the record does not say (labels given at this desk). */
export const DEFAULT_LABELLER = 'astronomer';

export function toHumanLabel(r: LabelRecord, by: string = DEFAULT_LABELLER): HumanLabel {
  return {
    candidateId: r.candidateId,
    workspace: r.workspace,
    label: r.label,
    // The shared schema says "no sub-class" with null, never ''.
    subclass: r.subclass ? r.subclass : null,
    modelVersion: r.model ? r.model : null,
    score: r.score !== null && Number.isFinite(r.score) ? r.score : null,
    secondsSpent: Number.isFinite(r.secondsSpent) ? Math.max(0, r.secondsSpent) : 0,
    labelledAt: new Date(r.at).toISOString(),
    by: r.by ?? by,
  };
}

/** A label from a file, written into `workspace` (the open one, whatever the file said). */
export function fromHumanLabel(h: HumanLabel, workspace: string): LabelRecord {
  const at = Date.parse(h.labelledAt);
  return {
    workspace,
    candidateId: h.candidateId,
    label: h.label,
    subclass: h.subclass,
    model: h.modelVersion,
    score: h.score,
    secondsSpent: h.secondsSpent,
    at: Number.isFinite(at) ? at : Date.now(),
    by: h.by,
  };
}

/** The class a record stands for: its own, or the one its sub-class implies; null for a skip. */
export function trainingClass(r: Pick<LabelRecord, 'label' | 'subclass'>): 'real' | 'bogus' | null {
  const implied = subclassById(r.subclass)?.implies;
  if (implied) return implied;
  return r.label === 'skip' ? null : r.label;
}

/** The candidates the astronomer called real (for "how many would each model have missed"). */
export function confirmedRealIds(records: readonly LabelRecord[]): string[] {
  return records.filter((r) => trainingClass(r) === 'real').map((r) => r.candidateId);
}
