/**
 * What an astronomer can say about a candidate. `real`/`bogus` are the classifier's classes; `skip`
 * means "looked, cannot tell" (kept so the pace and the queue know it was seen, never trained on).
 * Sub-classes refine a label; each implies its class so one key does both.
 */
export type HumanLabel = 'real' | 'bogus' | 'skip';

export interface SubClass {
  /** The digit key that applies it. */
  key: string;
  id: string;
  name: string;
  implies: 'real' | 'bogus';
}

export const SUBCLASSES: readonly SubClass[] = [
  { key: '1', id: 'sn', name: 'supernova-like transient', implies: 'real' },
  { key: '2', id: 'variable-star', name: 'variable star', implies: 'real' },
  { key: '3', id: 'agn', name: 'AGN / nuclear variability', implies: 'real' },
  { key: '4', id: 'asteroid', name: 'asteroid (moving object)', implies: 'real' },
  { key: '5', id: 'bad-subtraction', name: 'bad subtraction (dipole)', implies: 'bogus' },
  { key: '6', id: 'cosmic-ray', name: 'cosmic ray', implies: 'bogus' },
  { key: '7', id: 'hot-pixel', name: 'hot pixel / bad column', implies: 'bogus' },
  { key: '8', id: 'satellite', name: 'satellite or trail', implies: 'bogus' },
  { key: '9', id: 'bright-star', name: 'bright-star residual / ghost', implies: 'bogus' },
];

export function subclassById(id: string | null | undefined): SubClass | undefined {
  return id ? SUBCLASSES.find((s) => s.id === id) : undefined;
}
