import { describe, expect, it } from 'vitest';
import { seeingNote } from '../../../src/renderer/src/desk/night/NightPanel';

describe("the Night panel's seeing note", () => {
  it('speaks only when the models see the stamps resampled', () => {
    expect(seeingNote(undefined)).toBe('');
    expect(seeingNote(null)).toBe('');
    expect(seeingNote({ fwhmPx: 2.5, zoom: 1 })).toBe('');
    expect(seeingNote({ fwhmPx: null, zoom: 1 })).toBe('');
    expect(seeingNote({ fwhmPx: 4.72, zoom: 0.5084 })).toBe(
      ' Seeing 4.7 px: the models see its stamps resampled x0.51, to the scale they were trained at.',
    );
    expect(seeingNote({ fwhmPx: 3.57, zoom: 0.6723, templateBlur: 1.13 })).toBe(
      " Seeing 3.6 px: the models see its templates blurred to the search images' seeing, then its stamps resampled x0.67, to the scale they were trained at.",
    );
    expect(seeingNote({ fwhmPx: 2.9, zoom: 1, templateBlur: 0.8 })).toBe(
      " Seeing 2.9 px: the models see its templates blurred to the search images' seeing.",
    );
  });
});
