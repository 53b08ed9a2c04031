import { describe, expect, it } from 'vitest';
import { darkDiverging } from '../../../src/renderer/src/desk/stamps/colormaps';
import { MASKED_RGB } from '../../../src/shared/stretch';

describe('the dark diverging colour map of the difference', () => {
  it('is black at zero, full blue at the negative limit, full amber at the positive one', () => {
    expect(darkDiverging(0.5)).toEqual([0, 0, 0]);
    expect(darkDiverging(0)).toEqual([50, 130, 255]);
    expect(darkDiverging(1)).toEqual([255, 160, 40]);
  });
  it('never produces the masked-pixel colour', () => {
    for (let k = 0; k <= 255; k++) expect(darkDiverging(k / 255)).not.toEqual([...MASKED_RGB]);
  });
});
