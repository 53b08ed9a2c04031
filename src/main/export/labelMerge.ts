/**
 * Merging a colleague's labels into ours without losing any: what is new is added, what agrees is
 * skipped, what disagrees is handed back as a conflict for the astronomer to settle. Nothing the
 * app holds is ever replaced here.
 */
import type { HumanLabel, LabelConflict, LabelImportError } from '../../shared/labels';
import type { ParsedLabel } from './labelSetFile';

/** Two labels agree when they give the same verdict: who gave it, when, or how fast does not matter. */
export function sameVerdict(a: HumanLabel, b: HumanLabel): boolean {
  return a.label === b.label && a.subclass === b.subclass;
}

export interface MergeResult {
  labels: HumanLabel[];
  conflicts: LabelConflict[];
  identical: number;
  unknownIds: string[];
  errors: LabelImportError[];
}

/**
 * @param incoming   labels read from the file, with their lines
 * @param existing   the labels the app holds now
 * @param workspace  the open workspace: imported labels are re-homed there (a colleague's
 *                   folder path means nothing on this machine)
 * @param known      whether a candidate id is in the open workspace
 */
export function mergeLabels(
  incoming: readonly ParsedLabel[],
  existing: readonly HumanLabel[],
  workspace: string,
  known: (id: string) => boolean,
  fileName: string,
): MergeResult {
  const mine = new Map(existing.map((l) => [l.candidateId, l]));
  const seen = new Map<string, ParsedLabel>();
  const unknown = new Set<string>();
  const out: MergeResult = { labels: [], conflicts: [], identical: 0, unknownIds: [], errors: [] };
  for (const item of incoming) {
    const theirs: HumanLabel = { ...item.label, workspace };
    const id = theirs.candidateId;
    if (!known(id)) {
      unknown.add(id);
      continue;
    }
    const earlier = seen.get(id);
    if (earlier) {
      // The file itself labels this candidate twice: an agreeing repeat is harmless; a disagreeing
      // one cannot be resolved from the file, so the first stands and the second is reported.
      if (!sameVerdict(earlier.label, theirs))
        out.errors.push({
          line: item.line,
          reason: `${fileName}, line ${item.line}: candidate "${id}" is labelled again, differently (first on line ${earlier.line}); this line was not imported`,
        });
      continue;
    }
    seen.set(id, item);
    const current = mine.get(id);
    if (!current) out.labels.push(theirs);
    else if (sameVerdict(current, theirs)) out.identical++;
    else out.conflicts.push({ candidateId: id, mine: current, theirs });
  }
  out.unknownIds = [...unknown];
  return out;
}
