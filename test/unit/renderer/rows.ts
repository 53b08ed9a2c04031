import type { CandidateRow } from '../../../src/shared/contract';

/** A queue row with just what a test cares about. */
export function row(
  id: string,
  score: number | null,
  meta: CandidateRow['meta'] = {},
  given: CandidateRow['given'] = { scores: {} },
): CandidateRow {
  return { id, source: 'manifest', meta, given, score };
}
