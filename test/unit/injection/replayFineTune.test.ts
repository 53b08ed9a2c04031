/**
 * The app's retrain (trainModel) from the shipped default, which learnt from injections, replays
 * injections over the night's own stamps in every fine-tuning batch. On real ZTF stamps the default
 * never saw (fold 1 of TRAINED_BY.md), fine-tuned on 60 of them (braai drb as the label), the AUC
 * on the other 61 does not fall below the default's on the same stamps.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { selectBackend } from '../../../src/main/worker/model/backends';
import {
  partitionStamps,
  SN2021RHU_OBJECT,
  standInLabel,
} from '../../../src/main/worker/model/injection/pretrain';
import { loadManifestStamps } from '../../../src/main/worker/model/injection/realStamps';
import { ModelRegistry } from '../../../src/main/worker/model/registry';
import { nightBackgrounds, trainedOnInjections } from '../../../src/main/worker/model/training/replay';
import { seededRandom, shuffleInPlace, type LabelledId } from '../../../src/main/worker/model/training/split';
import { trainModel } from '../../../src/main/worker/model/training/train';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { shippedModelDir } from '../../../src/main/util/resources';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `skysift-${p}-`));

describe.skipIf(!HAVE_SHARED)('replay of injections in the app retrain (real stamps)', () => {
  let ws: Workspace;
  let registry: ModelRegistry;
  let parent: string;
  let given: LabelledId[];
  let heldOut: LabelledId[];
  beforeAll(async () => {
    await selectBackend('wasm');
    const manifest = sharedPath('real-stamps', 'index.csv');
    ws = await Workspace.open(tmp('replay-ws'), { create: true });
    const report = await runIngest(ws, manifest);
    expect(report.rejected).toEqual([]);
    registry = new ModelRegistry(tmp('replay-lib'));
    const meta = await registry.adoptFolder(shippedModelDir());
    expect(trainedOnInjections(meta)).toBe(true);
    parent = meta.version;
    const { stamps } = await loadManifestStamps(manifest);
    const fold = partitionStamps(stamps, 2, 1).heldOut.filter(
      (s) => s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT && standInLabel(s) !== null,
    );
    // One label per id (the manifest repeats a few ids), in a seeded random order.
    const byId = new Map(fold.map((s) => [s.id, standInLabel(s)!]));
    const labels = shuffleInPlace(
      [...byId].map(([id, label]) => ({ id, label })),
      seededRandom(13),
    );
    given = labels.slice(0, 60);
    heldOut = labels.slice(60);
  }, 300_000);

  it('never reads a held-out stamp as a background', async () => {
    const exclude = new Set(heldOut.map((l) => l.id));
    const bgs = await nightBackgrounds([ws], exclude, 1, [], 10_000);
    expect(bgs.length).toBe(ws.size - exclude.size);
    expect(bgs.some((b) => exclude.has(b.id))).toBe(false);
    expect(new Set(bgs.map((b) => b.survey)).size).toBeGreaterThan(2);
  });

  it('fine-tunes with replay and does not lower the held-out AUC', async () => {
    const result = await trainModel({
      nights: [ws],
      registry,
      architecture: 'compact',
      labels: [...given, ...heldOut],
      labelSources: { survey: given.length + heldOut.length },
      heldOut,
      parent,
      compareWith: parent,
      backend: 'wasm',
      seed: 3,
      maxEpochs: 6,
      patience: 3,
    });
    const hp = result.meta.hyperparameters as { replay?: { backgrounds: number; perBatch: number } };
    expect(hp.replay?.backgrounds).toBeGreaterThan(100);
    expect(hp.replay?.perBatch).toBeGreaterThan(0);
    expect(result.meta.notes).toMatch(/replay of the parent's training distribution/);
    const after = result.meta.evaluation!.auc!;
    const before = result.meta.comparedWith!.evaluation.auc!;
    console.log(
      `held-out ${heldOut.length} ZTF stamps: default AUC ${before.toFixed(4)} -> fine-tuned with replay ${after.toFixed(4)} (${result.guard})`,
    );
    expect(result.meta.evaluation!.n).toBe(heldOut.length);
    expect(after).toBeGreaterThanOrEqual(before);
  }, 600_000);
});
