/**
 * The cross-validated cold-start's split (realBench.ts crossValidatedParts): every stamp of the
 * judged pool is judged exactly once per draw, never after being given as a label, and the extra
 * labels (the other fold, seen in pretraining) are given but never judged. No training here; the
 * last block runs the pooled curve on the real fold with a short fine-tune.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/worker/model/backends';
import {
  partitionStamps,
  SN2021RHU_OBJECT,
  standInLabel,
} from '../../../src/main/worker/model/injection/pretrain';
import {
  coldStartCurveCv,
  crossValidatedParts,
  cvLabelCapacity,
  type CvPart,
} from '../../../src/main/worker/model/injection/realBench';
import { loadManifestStamps, type RealStamp } from '../../../src/main/worker/model/injection/realStamps';
import { shippedModelDir } from '../../../src/main/util/resources';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';

function image() {
  return { width: 1, height: 1, data: new Float32Array(1), mask: new Uint8Array([1]) };
}

/** n stamps with drb alternating high/low (labelled), or none (unlabelled: never judged nor given). */
function stamps(prefix: string, n: number, labelled = true): RealStamp[] {
  const scores = (i: number): Record<string, number> => (labelled ? { drb: i % 2 ? 0.9 : 0.1 } : {});
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    survey: 'ztf',
    objectId: `${prefix}obj${i}`,
    tag: 'test',
    isdiffpos: true,
    scores: scores(i),
    triplet: { search: image(), template: image(), difference: image() },
  }));
}

const ids = (xs: readonly RealStamp[]) => xs.map((s) => s.id);

describe('cross-validated cold-start split', () => {
  // As the real data: 115 labelled stamps in the fold the default never saw, 133 in the other.
  const held = [...stamps('h', 115), ...stamps('u', 7, false)];
  // The manifest lists some triplets twice: each is dealt once.
  const heldWithDuplicates = [...held, ...held.slice(0, 5)];
  const extra = stamps('x', 133);
  const heldIds = new Set(ids(held.filter((s) => standInLabel(s) !== null)));
  const extraIds = new Set(ids(extra));

  it('judges every labelled stamp of the pool exactly once per draw, in parts differing by at most one', () => {
    for (const draw of [0, 1, 2])
      for (const L of [0, 50, 200]) {
        const parts = crossValidatedParts(heldWithDuplicates, extra, L, 5, draw);
        expect(parts).toHaveLength(5);
        const judged = parts.flatMap((p) => ids(p.judged));
        expect(judged).toHaveLength(115);
        expect(new Set(judged)).toEqual(heldIds);
        const sizes = parts.map((p) => p.judged.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
  });

  it('never gives a judged stamp as a label in its part; labels come from both pools, distinct, L of them', () => {
    for (const draw of [0, 1])
      for (const L of [50, 100, 200]) {
        for (const p of crossValidatedParts(held, extra, L, 5, draw)) {
          const given = ids(p.given);
          expect(given).toHaveLength(L);
          expect(new Set(given).size).toBe(L);
          const judged = new Set(ids(p.judged));
          expect(given.filter((id) => judged.has(id))).toEqual([]);
          // Only labelled stamps, from the extra pool or the judged pool less this part.
          expect(given.every((id) => extraIds.has(id) || heldIds.has(id))).toBe(true);
          // The extra labels are never judged.
          expect(ids(p.judged).some((id) => extraIds.has(id))).toBe(false);
        }
        // With 200 labels of 225 possible, both pools give labels.
        if (L === 200) {
          const given = crossValidatedParts(held, extra, L, 5, draw).flatMap((p) => ids(p.given));
          expect(given.some((id) => extraIds.has(id))).toBe(true);
          expect(given.some((id) => heldIds.has(id))).toBe(true);
        }
      }
  });

  it('is deterministic per draw, differs between draws, and nests the labels along the curve', () => {
    const view = (parts: CvPart[]) => parts.map((p) => [ids(p.given), ids(p.judged)]);
    expect(view(crossValidatedParts(held, extra, 100, 5, 1))).toEqual(
      view(crossValidatedParts(held, extra, 100, 5, 1)),
    );
    const d0 = crossValidatedParts(held, extra, 100, 5, 0);
    const d1 = crossValidatedParts(held, extra, 100, 5, 1);
    expect(ids(d0[0].judged)).not.toEqual(ids(d1[0].judged));
    // Within a draw: the same parts at every L, and the smaller label sets inside the larger.
    const small = crossValidatedParts(held, extra, 50, 5, 0);
    small.forEach((p, j) => {
      expect(ids(p.judged)).toEqual(ids(d0[j].judged));
      const larger = new Set(ids(d0[j].given));
      expect(ids(p.given).every((id) => larger.has(id))).toBe(true);
    });
  });

  it('refuses what cannot be measured, saying why', () => {
    // 133 + 115 - 23 (the largest of 5 parts) = 225 labels at most.
    expect(cvLabelCapacity(held, extra, 5)).toBe(225);
    expect(() => crossValidatedParts(held, extra, 226, 5, 0)).toThrow(/226 labels asked.*at most 225/);
    expect(() => crossValidatedParts(held, extra, 500, 5, 0)).toThrow(/at most 225/);
    expect(() => crossValidatedParts(held, extra, 50, 1, 0)).toThrow(/1 parts asked of 115 labelled stamps/);
    expect(() => crossValidatedParts(held, extra, 50, 116, 0)).toThrow(/116 parts asked/);
    expect(() => crossValidatedParts(held, [...extra, held[3]], 50, 5, 0)).toThrow(
      /stamp h3 is both judged and an extra label/,
    );
  });
});

describe.skipIf(!HAVE_SHARED)('cross-validated cold-start on the real held-out fold', () => {
  let held: RealStamp[];
  let extra: RealStamp[];
  beforeAll(async () => {
    await selectBackend('wasm');
    const { stamps: all } = await loadManifestStamps(sharedPath('real-stamps', 'index.csv'));
    const ztf = (s: RealStamp) =>
      s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT && standInLabel(s) !== null;
    const { train, heldOut } = partitionStamps(all, 2, 1);
    held = heldOut.filter(ztf);
    extra = train.filter(ztf);
  });

  it("pools the parts into one AUC over the whole fold: the default's pooled AUC is its AUC on the fold", async () => {
    const lines: string[] = [];
    const points = await coldStartCurveCv({
      versionDir: shippedModelDir(),
      judgedPool: held,
      extraLabels: extra,
      labelCounts: [0, 40, 500],
      draws: 1,
      folds: 3,
      log: (l) => lines.push(l),
      policy: { maxEpochs: 2, patience: 1 },
    });
    console.log(lines.join('\n'));
    const distinct = new Set(ids(held)).size;
    expect(points.map((p) => p.labels)).toEqual([0, 40]);
    expect(
      lines.some((l) => /^L=500: skipped \(each part's label pool holds \d+ labelled stamps/.test(l)),
    ).toBe(true);
    const [cold, tuned] = points;
    expect(cold.n).toBe(distinct);
    expect(cold.auc).toBe(cold.parentAuc);
    // The same stamps, the same default: pooling its three parts' scores changes nothing.
    expect(tuned.parentAuc).toBeCloseTo(cold.parentAuc, 10);
    expect(tuned.n).toBe(distinct);
    expect(tuned.parts.map((p) => p.n).reduce((a, b) => a + b, 0)).toBe(distinct);
    for (const p of tuned.parts) {
      if (p.kept === 'parent') expect(p.auc).toBe(p.parentAuc);
      expect(p.watch.map((w) => w.name)).toEqual([]);
    }
    // Labels from both folds: 40 of the 133 + about 77 labelled stamps each part could be given.
    expect(tuned.extraGiven.every((x) => x > 0 && x < 40)).toBe(true);
    expect(
      lines.some((l) => /^L=40 draw 0 \(3 parts pooled: 3 models' scores\): judged \d+: AUC /.test(l)),
    ).toBe(true);
  }, 300_000);
});
