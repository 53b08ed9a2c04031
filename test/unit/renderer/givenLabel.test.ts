import { describe, expect, it } from 'vitest';
import { givenLabelText } from '../../../src/renderer/src/desk/candidate/CandidateFacts';

describe('the label that came with the data, on a simulated night', () => {
  it('is hidden until the astronomer labels the candidate (a skip does not reveal it)', () => {
    expect(givenLabelText('real', undefined, true)).toEqual({
      text: 'hidden until you label it (simulated night)',
      verdict: null,
    });
    expect(givenLabelText('bogus', 'skip', true).text).not.toContain('bogus');
  });
  it('then shows whether they agreed', () => {
    expect(givenLabelText('real', 'real', true)).toEqual({ text: 'real: you agree', verdict: 'agree' });
    expect(givenLabelText('real', 'bogus', true)).toEqual({
      text: 'real: you said bogus',
      verdict: 'differ',
    });
  });
  it('on a real night it is shown as it came', () => {
    expect(givenLabelText('bogus', undefined, false)).toEqual({ text: 'bogus', verdict: null });
    expect(givenLabelText(undefined, 'real', true)).toEqual({ text: 'none', verdict: null });
  });
});
