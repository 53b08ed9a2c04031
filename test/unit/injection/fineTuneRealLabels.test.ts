/**
 * Fine-tuning the shipped default on a small set of real labels (ZTF stamps, braai drb as the label),
 * replaying injections over the other stamps of the fold (replay.ts), never lowers the AUC on the
 * held-out labels that judge it, nor (for these seeded draws) on the stamps left unlabelled: an
 * epoch is kept only if it beats the parent there, else the parent's weights stay, and the result
 * says which. The stamps come from the fold the default never saw (resources/models/default/TRAINED_BY.md).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { partitionStamps, SN2021RHU_OBJECT } from '../../../src/main/worker/model/injection/pretrain';
import { coldStartCurve } from '../../../src/main/worker/model/injection/realBench';
import { loadManifestStamps, type RealStamp } from '../../../src/main/worker/model/injection/realStamps';
import { shippedModelDir } from '../../../src/main/util/resources';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';
import { ORT } from '../onnx/helpers';

describe.skipIf(!HAVE_SHARED)('fine-tuning on a few real labels', () => {
  let pool: RealStamp[];
  beforeAll(async () => {
    await selectBackend('wasm');
    const { stamps } = await loadManifestStamps(sharedPath('real-stamps', 'index.csv'));
    pool = partitionStamps(stamps, 2, 1).heldOut.filter(
      (s) => s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT,
    );
  });

  it('with replay, never lowers the held-out AUC; keeps the parent when nothing beats it, and says so', async () => {
    const lines: string[] = [];
    // 40 labels (the retrain validates on about 10 of them: the guard), two draws; a short run keeps the test fast.
    const points = await coldStartCurve(shippedModelDir(), pool, [40], 2, (l) => lines.push(l), 30, {
      maxEpochs: 3,
      patience: 2,
    });
    console.log(lines.join('\n'));
    expect(points).toHaveLength(2);
    for (const p of points) {
      expect(p.guard).not.toBeNull();
      expect(p.guard!.parentAuc).not.toBeNull();
      expect(p.guard!.keptAuc!).toBeGreaterThanOrEqual(p.guard!.parentAuc!);
      expect(p.reason).toMatch(p.kept === 'parent' ? /^kept the parent/ : /beat the parent/);
      // On a CPU backend the guarded fine-tune trains on ONNX Runtime (when it loads), as the retrain does.
      expect(p.reason).toMatch(ORT ? /trained on ONNX Runtime CPU/ : /trained on tfjs \(wasm\)/);
      // Kept parent: not a single weight moved, so the judged stamps score exactly as before.
      if (p.kept === 'parent') {
        expect(p.auc).toBe(p.parentAuc);
        expect(p.fpr).toBe(p.parentFpr);
      }
      // The stamps neither the guard nor the fine-tune saw (replaying injections, as the app does).
      expect(p.auc).toBeGreaterThanOrEqual(p.parentAuc);
      expect(p.n).toBe(new Set(pool.map((s) => s.id)).size - 40);
    }
  }, 300_000);
});
