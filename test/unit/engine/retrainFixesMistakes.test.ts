/**
 * The loop that makes Skysift more than a viewer: a model that never saw a kind of artifact gets
 * it wrong; the astronomer labels some of them; after retraining on those labels, the model gets
 * the OTHER ones right too (a held-out check: those candidates were never trained on).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace, type NewCandidate } from '../../../src/main/catalog/workspace';
import { generateNight } from '../../../src/main/worker/demo/generator';
import { selectBackend } from '../../../src/main/worker/model/backends';
import {
  modelLibrary,
  runScore,
  runTrain,
  type EngineReporter,
} from '../../../src/main/worker/model/engineJobs';
import { giveLabels } from '../helpers/journal';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { ARTIFACT_KINDS } from '../../../src/main/worker/demo/scene';
import { auc } from '../../../src/shared/metrics';

const quiet: EngineReporter = { backend: () => {}, progress: () => {} };
const NEW_KIND = 'variable-star';

function simKinds(csvPath: string): Map<string, string> {
  const lines = readFileSync(csvPath, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  const header = lines[0].split(',');
  const id = header.indexOf('ID');
  const kind = header.indexOf('SIM_KIND');
  return new Map(lines.slice(1).map((l) => [l.split(',')[id], l.split(',')[kind]]));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('retraining on the astronomer labels fixes what the model got wrong', () => {
  it('a kind of artifact the model never saw: labelled in part, then recognised in the held-out rest', async () => {
    await selectBackend('wasm');
    const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-fix-'));
    // Night A: every artifact kind except variable stars; the model learns real vs bogus there.
    const noVariables = Object.fromEntries(ARTIFACT_KINDS.map((k) => [k, k === NEW_KIND ? 0 : 1]));
    await generateNight({ out: path.join(base, 'a'), n: 700, seed: 31, artifactWeights: noVariables });
    const wsA = await Workspace.open(path.join(base, 'wsA'), { create: true });
    await runIngest(wsA, path.join(base, 'a'));
    const a = await runTrain(wsA, { backend: 'wasm', maxEpochs: 6, batchSize: 64, seed: 2 }, quiet);
    const versionA = String(a.result.version);

    // Night B: a real night, so no labels came with the data; many variable stars.
    const onlyVariables = Object.fromEntries(ARTIFACT_KINDS.map((k) => [k, k === NEW_KIND ? 1 : 0]));
    const nightB = await generateNight({
      out: path.join(base, 'b'),
      n: 500,
      seed: 32,
      idOffset: 10_000,
      artifactWeights: onlyVariables,
      realFraction: 0.4,
    });
    const labelled = await Workspace.open(path.join(base, 'wsB-truth'), { create: true });
    await runIngest(labelled, path.join(base, 'b'));
    const wsB = await Workspace.open(path.join(base, 'wsB'), { create: true });
    const unlabelled: NewCandidate[] = [];
    for await (const { entry, triplet } of labelled.iterateTriplets()) {
      unlabelled.push({ ...entry, given: { scores: {} }, triplet });
    }
    await wsB.appendPart(unlabelled);
    await modelLibrary().adoptFolder(modelLibrary().versionDir(versionA));
    await runScore(wsB, { version: versionA, backend: 'wasm' }, quiet);
    await wsB.update({ activeModel: versionA, threshold: modelLibrary().meta(versionA).threshold });

    const kinds = simKinds(nightB.csvPath);
    const truth = (id: string) => labelled.get(id)!.given.label!;
    const variables = wsB
      .list()
      .filter((e) => kinds.get(e.id) === NEW_KIND)
      .map((e) => e.id);
    const reals = wsB
      .list()
      .filter((e) => truth(e.id) === 'real')
      .map((e) => e.id);
    // The astronomer labels half of the variable stars (bogus) and half of the reals; the other
    // halves are the held-out check.
    const half = <T>(xs: T[]) => [xs.filter((_, i) => i % 2 === 0), xs.filter((_, i) => i % 2 === 1)];
    const [varsLabelled, varsHeld] = half(variables);
    const [realsLabelled, realsHeld] = half(reals);
    const human = [
      ...varsLabelled.map((id) => ({ id, label: 'bogus' as const })),
      ...realsLabelled.map((id) => ({ id, label: 'real' as const })),
    ];
    const before = wsB.scores(versionA)!;
    const threshold = modelLibrary().meta(versionA).threshold;
    const missedBefore = varsHeld.filter((id) => before.get(id)! >= threshold).length;

    await giveLabels(wsB, human);
    const b = await runTrain(
      wsB,
      { backend: 'wasm', maxEpochs: 6, batchSize: 32, seed: 3, heldOutFraction: 0 },
      quiet,
    );
    const after = wsB.scores(String(b.result.version))!;
    const trained = new Set(modelLibrary().meta(String(b.result.version)).data!.split.train);
    for (const id of [...varsHeld, ...realsHeld]) expect(trained.has(id)).toBe(false);

    // How well each model tells the held-out supernovae from the held-out variable stars (AUC),
    // and how many of those variable stars each flags at the old model's threshold.
    const heldIds = [...realsHeld, ...varsHeld];
    const heldTruth = heldIds.map((id) => (truth(id) === 'real' ? 1 : 0));
    const aucBefore = auc(
      heldIds.map((id) => before.get(id)!),
      heldTruth,
    );
    const aucAfter = auc(
      heldIds.map((id) => after.get(id)!),
      heldTruth,
    );
    const missedAfter = varsHeld.filter((id) => after.get(id)! >= threshold).length;
    console.log(
      `held-out: ${realsHeld.length} reals vs ${varsHeld.length} variable stars: AUC ${aucBefore.toFixed(3)} -> ${aucAfter.toFixed(3)}; ` +
        `mean score reals ${mean(realsHeld.map((id) => before.get(id)!)).toFixed(3)} -> ${mean(realsHeld.map((id) => after.get(id)!)).toFixed(3)}, ` +
        `variables ${mean(varsHeld.map((id) => before.get(id)!)).toFixed(3)} -> ${mean(varsHeld.map((id) => after.get(id)!)).toFixed(3)}; ` +
        `variables flagged at ${threshold.toFixed(3)}: ${missedBefore} -> ${missedAfter}`,
    );
    expect(aucAfter).toBeGreaterThan(aucBefore + 0.1);
    expect(aucAfter).toBeGreaterThan(0.75);
  }, 900_000);
});
