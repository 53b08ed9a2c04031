/**
 * A diverging colour map for the difference on the dark theme: black at zero, blue for negative,
 * amber for positive. The shared white-centred map (COLORMAPS.diverging) is right on paper and on
 * the light theme, but a mostly-white square in a dark room undoes the astronomer's dark adaptation.
 */
import type { Rgb } from '../../../../shared/stretch';

export function darkDiverging(level: number): Rgb {
  const t = level * 2 - 1;
  const s = Math.abs(t);
  if (t < 0) return [Math.round(50 * s), Math.round(130 * s), Math.round(255 * s)];
  return [Math.round(255 * s), Math.round(160 * s), Math.round(40 * s)];
}
