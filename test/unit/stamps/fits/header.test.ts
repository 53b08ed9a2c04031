import { describe, expect, it } from 'vitest';
import { parseFits } from '../../../../src/main/stamps/fits';
import { firstNonText, parseCard } from '../../../../src/main/stamps/fits/header';
import { card, concat, emptyPrimary, header, raw } from './fitsBuilder';

describe('FITS header cards', () => {
  it('reads strings with escaped quotes, keeping leading and dropping trailing blanks', () => {
    expect(parseCard(raw("OBJECT  = 'O''Brien  '  / the name")).value).toBe("O'Brien");
    expect(parseCard(raw("OBJECT  = '  lead'")).value).toBe('  lead');
    expect(parseCard(raw("OBJECT  = ''")).value).toBe('');
    expect(parseCard(raw("OBJECT  = 'a/b' / c")).comment).toBe('c');
    expect(parseCard(raw("OBJECT  = 'a/b' / c")).value).toBe('a/b');
  });

  it('reads logicals, integers, floats (E and Fortran D exponents) and keeps complex as text', () => {
    expect(parseCard(card('FLAG', false)).value).toBe(false);
    expect(parseCard(card('N', -42)).value).toBe(-42);
    expect(parseCard(raw('X       =              1.5D+03')).value).toBe(1500);
    expect(parseCard(raw('X       =             -2.5e-3 / c')).value).toBe(-0.0025);
    expect(parseCard(raw('X       =                  .5')).value).toBe(0.5);
    expect(parseCard(raw('Z       =          (1.0, -2.0)')).value).toBe('(1.0, -2.0)');
    expect(parseCard(raw('U       =                      / undefined value')).value).toBeUndefined();
  });

  it('quirk ZTF: SIMPLE = T with the T in column 12 instead of 30 is read as true', () => {
    expect(parseCard(raw('SIMPLE  =  T')).value).toBe(true);
  });

  it('keeps COMMENT and HISTORY cards as text, in order', () => {
    const bytes = emptyPrimary([raw('COMMENT   first note'), raw('HISTORY step 1'), raw('COMMENT second')]);
    const [hdu] = parseFits(bytes, 'c.fits');
    const comments = hdu.header.cards.filter((c) => c.key === 'COMMENT').map((c) => c.value);
    expect(comments).toEqual(['  first note', 'second']);
    expect(hdu.header.get('HISTORY')).toBe('step 1');
  });

  it('joins CONTINUE long strings (the & convention)', () => {
    const bytes = emptyPrimary([
      raw("LONGSTR = 'The quick brown &'  / part one"),
      raw("CONTINUE  'fox jumps over &'"),
      raw("CONTINUE  'the lazy dog'  / end"),
      card('AFTER', 1),
    ]);
    const [hdu] = parseFits(bytes, 'long.fits');
    expect(hdu.header.get('LONGSTR')).toBe('The quick brown fox jumps over the lazy dog');
    expect(hdu.header.get('AFTER')).toBe(1);
  });

  it('reads HIERARCH keywords, with or without the HIERARCH prefix, case-insensitively', () => {
    const bytes = emptyPrimary([
      raw("HIERARCH ESO DET CHIP NAME = 'CCD-44' / chip"),
      raw('HIERARCH ESO TEL AIRM = 1.25'),
    ]);
    const [hdu] = parseFits(bytes, 'h.fits');
    expect(hdu.header.get('ESO DET CHIP NAME')).toBe('CCD-44');
    expect(hdu.header.get('HIERARCH ESO TEL AIRM')).toBe(1.25);
    expect(hdu.header.has('eso tel airm')).toBe(true);
  });

  it('gives the first of duplicated keywords (as astropy) and reports absent ones', () => {
    const [hdu] = parseFits(emptyPrimary([card('DUP', 1), card('DUP', 2)]), 'd.fits');
    expect(hdu.header.get('DUP')).toBe(1);
    expect(hdu.header.has('NOPE')).toBe(false);
    expect(hdu.header.get('NOPE')).toBeUndefined();
  });

  it('a header longer than one block is read across blocks', () => {
    const many = Array.from({ length: 80 }, (_, i) => card(`K${i}`, i));
    const [hdu] = parseFits(
      concat(header([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), ...many])),
      'big.fits',
    );
    expect(hdu.header.get('K79')).toBe(79);
  });

  it('names the first card holding binary bytes, in the first block or a later one, and the missing END', () => {
    const many = Array.from({ length: 80 }, (_, i) => card(`K${i}`, i));
    const cards = [card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), ...many];
    for (const bad of [4, 40, 83]) {
      const bytes = concat(header(cards));
      // A tab in the card's value field: not printable ASCII, so not header text.
      bytes[(bad - 1) * 80 + 20] = 0x09;
      expect(() => parseFits(bytes, 'bin.fits')).toThrow(`binary bytes found in card ${bad})`);
    }
    const noEnd = concat(header(cards)).subarray(0, 2 * 2880);
    expect(() => parseFits(noEnd, 'cut.fits')).toThrow(/no END card before the end of the file/);
  });

  it('finds the first byte that is not header text, four at a time, as a byte loop does', () => {
    const slow = (b: Uint8Array, from: number, to: number) => {
      for (let i = from; i < to; i++) if (b[i] < 0x20 || b[i] > 0x7e) return i;
      return -1;
    };
    let x = 7;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
    for (let t = 0; t < 3000; t++) {
      const b = new Uint8Array(1 + (t % 97)).map(() => 0x20 + (next() % 95));
      // One or two bytes anywhere from the edges of the range (0x1f, 0x7f, 0x80, 0xff, 0, tab).
      for (let k = 0; k < t % 3; k++)
        b[next() % b.length] = [0x1f, 0x7f, 0x80, 0xff, 0, 9, 0x20, 0x7e][next() % 8];
      const from = t % 5 === 0 ? 1 : 0;
      expect(firstNonText(b, from, b.length), `case ${t}`).toBe(slow(b, from, b.length));
    }
  });

  it('keys a card as slice(0, 8).trimEnd().toUpperCase() did, whatever its first 8 characters', () => {
    const alphabet = ['A', 'z', 'q', '1', '-', '_', ' ', ' ', '\t', '\u00a0', 'é', '=', "'"];
    let x = 3;
    const pick = () => alphabet[(x = (Math.imul(x, 1103515245) + 12345) >>> 0) % alphabet.length];
    for (let t = 0; t < 5000; t++) {
      const head = Array.from({ length: 1 + (t % 10) }, pick).join('');
      const rawCard = `${head}${' '.repeat(80)}`.slice(0, 80);
      if (rawCard.startsWith('HIERARCH')) continue;
      expect(parseCard(rawCard).key, JSON.stringify(head)).toBe(rawCard.slice(0, 8).trimEnd().toUpperCase());
    }
  });
});
