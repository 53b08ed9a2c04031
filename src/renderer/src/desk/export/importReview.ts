/**
 * The review of a label-set import before anything is written: new labels are accepted, and each
 * conflict (the candidate labelled differently here and in the file) waits for the astronomer's
 * word, "mine" by default, so nothing is ever overwritten without being asked. Pure reducer.
 */
import type { HumanLabel, LabelsImportResult } from '../../../../shared/labels';

export type Side = 'mine' | 'theirs';

export interface ImportReview {
  result: LabelsImportResult;
  /** Per conflicting candidate id: which label to keep. */
  choices: Readonly<Record<string, Side>>;
}

export type ImportReviewAction =
  { type: 'choose'; candidateId: string; side: Side } | { type: 'all'; side: Side };

export function startReview(result: LabelsImportResult): ImportReview {
  const choices: Record<string, Side> = {};
  for (const c of result.conflicts) choices[c.candidateId] = 'mine';
  return { result, choices };
}

export function reviewReducer(state: ImportReview, action: ImportReviewAction): ImportReview {
  switch (action.type) {
    case 'choose':
      if (!(action.candidateId in state.choices)) return state;
      return { ...state, choices: { ...state.choices, [action.candidateId]: action.side } };
    case 'all': {
      const choices: Record<string, Side> = {};
      for (const id of Object.keys(state.choices)) choices[id] = action.side;
      return { ...state, choices };
    }
  }
}

/** What the import writes: every new label, plus "theirs" for the conflicts decided that way. */
export function acceptedLabels(state: ImportReview): HumanLabel[] {
  const theirs = state.result.conflicts
    .filter((c) => state.choices[c.candidateId] === 'theirs')
    .map((c) => c.theirs);
  return [...state.result.labels, ...theirs];
}

export function reviewCounts(state: ImportReview): { added: number; replaced: number; keptMine: number } {
  const replaced = Object.values(state.choices).filter((s) => s === 'theirs').length;
  return {
    added: state.result.labels.length,
    replaced,
    keptMine: state.result.conflicts.length - replaced,
  };
}
