/**
 * Candidate model against the active one, on the same held-out labels (the candidate's test
 * split, never trained on), plus how many of the astronomer's confirmed supernovae each would
 * have left below its threshold. The training job judged the then-active version on the held-out
 * labels of every night it read; any other version is judged on this night's scores.
 */
import type { Workspace } from '../catalog/workspace';
import { evaluateScores } from './evaluate';
import { homeLibrary, type ModelLibrary, type ModelMeta } from './modelLibrary';
import { unqualifyId } from './nightIds';

export interface ComparedModel {
  version: string;
  threshold: number;
  evaluation: ReturnType<typeof evaluateScores> | null;
  /** Confirmed reals scored below this model's threshold. */
  missedConfirmed: number;
}

/** The held-out labels of this night (plain ids), out of a split that may span several nights. */
function heldOutHere(ws: Workspace, meta: ModelMeta): { ids: string[]; labels: number[] } {
  const split = meta.data!.split;
  const nights = meta.data!.nights ?? [meta.data!.workspace];
  const k = nights.indexOf(ws.dir);
  const ids: string[] = [];
  const labels: number[] = [];
  split.test.forEach((q, i) => {
    const { night, id } = unqualifyId(nights.length, q);
    if (night === k) {
      ids.push(id);
      labels.push(split.testLabels![i]);
    }
  });
  return { ids, labels };
}

export function compareModels(
  ws: Workspace,
  candidate: string,
  against: string | null,
  confirmedReals: string[],
  registry: ModelLibrary = homeLibrary(),
) {
  const candMeta = registry.meta(candidate);
  const split = candMeta.data?.split;
  if (!split?.testLabels || split.testLabels.length !== split.test.length) {
    throw new Error(
      `${candidate} records no held-out labels to compare on (an imported model, or made before they were kept)`,
    );
  }
  const here = heldOutHere(ws, candMeta);
  const versions = [candidate, ...(against && against !== candidate ? [against] : [])];
  const models: ComparedModel[] = versions.map((version) => {
    const meta = registry.meta(version);
    const scores = ws.scores(version);
    const missedConfirmed = confirmedReals.filter((id) => {
      const v = scores?.get(id);
      return v !== undefined && v < meta.threshold;
    }).length;
    // Judged in the training job on every night's held-out labels: the fair figure.
    if (version === candidate && candMeta.evaluation)
      return { version, threshold: meta.threshold, evaluation: candMeta.evaluation, missedConfirmed };
    if (candMeta.comparedWith?.version === version)
      return {
        version,
        threshold: meta.threshold,
        evaluation: candMeta.comparedWith.evaluation,
        missedConfirmed,
      };
    if (!scores) throw new Error(`${version} has not scored this workspace yet: score it first`);
    const s: number[] = [];
    const l: number[] = [];
    here.ids.forEach((id, i) => {
      const v = scores.get(id);
      if (v === undefined) return;
      s.push(v);
      l.push(here.labels[i]);
    });
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
