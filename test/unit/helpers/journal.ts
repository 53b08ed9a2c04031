// Labels as the desk gives them: into the night's journal (main's system of record).
import { LabelJournal } from '../../../src/main/catalog/labelJournal';
import type { HumanLabel } from '../../../src/shared/labels';

export function humanLabel(
  workspace: string,
  candidateId: string,
  label: HumanLabel['label'],
  extra: Partial<HumanLabel> = {},
): HumanLabel {
  return {
    candidateId,
    workspace,
    label,
    subclass: null,
    modelVersion: null,
    score: null,
    secondsSpent: 1.5,
    labelledAt: new Date().toISOString(),
    by: 'astronomer',
    ...extra,
  };
}

export async function giveLabels(
  ws: { dir: string },
  labels: readonly { id: string; label: HumanLabel['label'] }[],
): Promise<void> {
  await new LabelJournal(ws.dir).append(
    labels.map((l) => ({ op: 'set' as const, label: humanLabel(ws.dir, l.id, l.label) })),
  );
}
