/**
 * A UCD1+ check for the words Skysift's exports use, with their syntax flags from the IVOA UCD1+
 * controlled vocabulary (EN-UCDlist 1.5; astropy ships the same list as ucd1p-words.txt):
 * P = primary only (first word), S = secondary only (never first), Q/E/C/V = either position.
 * A column of a new kind adds its words here, looked up in that list; astropy's strict parse (in
 * votable.test.ts, where python3-astropy is installed) checks against the full list.
 */
const WORDS: Record<string, 'P' | 'S' | 'Q' | 'E' | 'C' | 'V'> = {
  'meta.id': 'P',
  'meta.main': 'S',
  'meta.dataset': 'Q',
  'meta.code': 'P',
  'meta.code.class': 'P',
  'meta.curation': 'Q',
  'meta.number': 'P',
  'meta.note': 'P',
  'pos.eq.ra': 'Q',
  'pos.eq.dec': 'Q',
  'time.epoch': 'Q',
  'time.duration': 'Q',
  'time.creation': 'Q',
  'obs.exposure': 'S',
  obs: 'S',
  'stat.min': 'S',
  'instr.bandpass': 'Q',
  'instr.filter': 'S',
  'phot.mag': 'E',
  'phot.flux': 'E',
  'stat.error': 'P',
  'stat.probability': 'Q',
  'src.class': 'Q',
};

/** Problems with one UCD string ("" = none). */
export function ucdProblems(ucd: string): string[] {
  const words = ucd.split(';').map((w) => w.trim());
  const out: string[] = [];
  words.forEach((w, i) => {
    const flag = WORDS[w];
    if (!flag) out.push(`"${w}" is not a UCD1+ word used here`);
    else if (i === 0 && flag === 'S') out.push(`"${w}" may only follow a primary word`);
    else if (i > 0 && flag === 'P') out.push(`"${w}" may only come first`);
  });
  return out;
}
