/**
 * Candidate model against the active one, on the same held-out labels (the candidate's test
 * split, never trained on), plus how many of the astronomer's confirmed supernovae each would
 * have left below its threshold. Uses the scores already written for each version.
 */
import type { Workspace } from '../catalog/workspace';
import { evaluateScores } from './evaluate';
import { modelLibrary } from './engineJobs';

export interface ComparedModel {
  version: string;
  threshold: number;
  evaluation: ReturnType<typeof evaluateScores> | null;
  /** Confirmed reals scored below this model's threshold. */
  missedConfirmed: number;
}

export function compareModels(
  ws: Workspace,
  candidate: string,
  against: string | null,
  confirmedReals: string[],
) {
  const registry = modelLibrary();
  const candMeta = registry.meta(candidate);
  const split = candMeta.data?.split;
  if (!split?.testLabels || split.testLabels.length !== split.test.length) {
    throw new Error(
      `${candidate} records no held-out labels to compare on (an imported model, or made before they were kept)`,
    );
  }
  const versions = [candidate, ...(against && against !== candidate ? [against] : [])];
  const models: ComparedModel[] = versions.map((version) => {
    const meta = registry.meta(version);
    const scores = ws.scores(version);
    if (!scores) throw new Error(`${version} has not scored this workspace yet: score it first`);
    const s: number[] = [];
    const l: number[] = [];
    split.test.forEach((id, i) => {
      const v = scores.get(id);
      if (v === undefined) return;
      s.push(v);
      l.push(split.testLabels![i]);
    });
    const missedConfirmed = confirmedReals.filter((id) => {
      const v = scores.get(id);
      return v !== undefined && v < meta.threshold;
    }).length;
    return {
      version,
      threshold: meta.threshold,
      evaluation: s.length ? evaluateScores(s, l) : null,
      missedConfirmed,
    };
  });
  const reals = split.testLabels.filter((x) => x === 1).length;
  return {
    heldOut: { n: split.test.length, reals, bogus: split.test.length - reals },
    confirmedReals: confirmedReals.length,
    models,
  };
}
