import { describe, expect, it } from 'vitest';
import type { EvaluationSummary, ModelSummary } from '../../../src/shared/contract';
import { figureText, qualityFigure, trainedOnText } from '../../../src/renderer/src/desk/model/provenance';

const evaluation = {
  n: 40,
  reals: 12,
  bogus: 28,
  auc: 0.91,
  pippin: null,
  operatingPoint: { threshold: 0.43, fpr: 0.031, mdr: null },
} as unknown as EvaluationSummary;

const version = (patch: Partial<ModelSummary>): ModelSummary =>
  ({
    version: 'v1',
    createdAt: '2026-11-20T00:00:00Z',
    kind: 'trained',
    architecture: 'compact',
    parent: null,
    backend: 'tfjs-node',
    threshold: 0.5,
    active: true,
    shownHere: true,
    scoredHere: true,
    input: { size: [51, 51], channels: ['search', 'template', 'difference'], preprocessing: 'zscale' },
    trainedOn: null,
    realEvaluation: null,
    nights: [],
    shipped: false,
    labelCounts: null,
    labelSources: null,
    cost: null,
    evaluation: null,
    curves: [],
    ...patch,
  }) as ModelSummary;

describe('what a version was trained on and what its figures mean', () => {
  it('never shows a figure from simulated training as if it were measured on a real night', () => {
    const sim = version({
      shipped: true,
      evaluation,
      trainedOn: { data: 'simulated', surveys: [], labels: { real: 5000, bogus: 5000 }, description: '' },
    });
    expect(qualityFigure(sim)).toMatchObject({
      scope: 'held-out',
      where: expect.stringContaining('on simulated held-out candidates'),
    });
    // The shipped default without a record of its data is the simulated one.
    const shipped = version({ shipped: true, evaluation, labelCounts: { real: 10024, bogus: 9976 } });
    expect(qualityFigure(shipped).where).toContain('simulated');
    expect(trainedOnText(shipped)).toBe(
      'simulated candidates (the demo generator), as shipped; 10024 real / 9976 bogus',
    );
    expect(trainedOnText(sim)).toBe('simulated candidates; 5000 real / 5000 bogus');
  });

  it('prefers figures on real labels, and says how many', () => {
    const v = version({
      evaluation,
      realEvaluation: { source: 'real-stamps labels', n: 321, evaluation },
    });
    expect(qualityFigure(v)).toMatchObject({
      scope: 'real',
      where: 'on 321 real labelled candidates (real-stamps labels)',
    });
    const lab = version({
      evaluation,
      nights: ['n1', 'n2'],
      trainedOn: {
        data: 'labelled-real',
        surveys: ['DES', 'ZTF'],
        labels: { real: 30, bogus: 70 },
        description: '',
      },
    });
    expect(qualityFigure(lab)).toMatchObject({
      scope: 'real',
      where: 'on 40 held-out real labels (never trained on)',
    });
    expect(trainedOnText(lab)).toBe('labelled real candidates; DES, ZTF; 30 real / 70 bogus; nights n1, n2');
  });

  it('says so when there are no figures, and writes a dash for one that cannot be computed', () => {
    expect(qualityFigure(version({ kind: 'imported' }))).toMatchObject({ scope: 'none', evaluation: null });
    expect(figureText(evaluation)).toBe('AUC 0.910, FPR 3.1%, MDR - at 0.430 (12 real / 28 bogus)');
  });
});
