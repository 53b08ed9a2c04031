import { BLOCK, CARD } from './constants';
import { FitsError } from './errors';

export type FitsValue = string | number | boolean | undefined;

/** One 80-character header card. `key` is upper case; HIERARCH keys lose the HIERARCH prefix. */
export interface FitsCard {
  key: string;
  /** Parsed value; for COMMENT/HISTORY/blank keys the card text; for CONTINUE the fragment. */
  value: FitsValue;
  comment: string;
  raw: string;
}

export interface FitsHeader {
  cards: FitsCard[];
  get(key: string): FitsValue;
  has(key: string): boolean;
}

const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);
const INT_RE = /^[+-]?\d+$/;
// FITS allows Fortran's D exponent (1.0D+03); JS does not, so it is rewritten to E.
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][+-]?\d+)?$/;

function normKey(key: string): string {
  const k = key.trim().toUpperCase();
  return k.startsWith('HIERARCH ') ? k.slice(9).trim().replace(/\s+/g, ' ') : k;
}

/** Lookup keys as normalised: readers ask every header for the same few dozen keywords. */
const LOOKUP = new Map<string, string>();
function lookupKey(key: string): string {
  let k = LOOKUP.get(key);
  if (k === undefined) {
    k = normKey(key);
    if (LOOKUP.size < 4096) LOOKUP.set(key, k);
  }
  return k;
}

/**
 * A card's keyword (columns 1-8, trailing blanks dropped, upper case) without the three strings
 * slice + trimEnd + toUpperCase make: header text is printable ASCII, mostly upper case already.
 */
function cardKey(raw: string): string {
  let e = Math.min(8, raw.length);
  while (e > 0 && raw.charCodeAt(e - 1) === 32) e--;
  let lower = false;
  for (let i = 0; i < e; i++) {
    const c = raw.charCodeAt(i);
    if (c < 32 || c > 126) return raw.slice(0, 8).trimEnd().toUpperCase();
    if (c >= 97 && c <= 122) lower = true;
  }
  const key = raw.slice(0, e);
  return lower ? key.toUpperCase() : key;
}

class Header implements FitsHeader {
  private readonly index = new Map<string, number>();

  constructor(readonly cards: FitsCard[]) {
    // First occurrence wins, as in astropy; COMMENT/HISTORY stay reachable through `cards`.
    cards.forEach((c, i) => {
      if (!this.index.has(c.key)) this.index.set(c.key, i);
    });
  }

  get(key: string): FitsValue {
    const i = this.index.get(lookupKey(key));
    return i === undefined ? undefined : this.cards[i].value;
  }

  has(key: string): boolean {
    return this.index.has(lookupKey(key));
  }
}

/** Parses a quoted FITS string starting at s[0] === "'"; '' is an escaped quote. */
function parseQuoted(s: string): { value: string; rest: string } {
  let out = '';
  let i = 1;
  for (; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") {
      if (s[i + 1] === "'") {
        out += "'";
        i++;
        continue;
      }
      // Trailing blanks are not significant in FITS strings; leading ones are.
      return { value: out.trimEnd(), rest: s.slice(i + 1) };
    }
    out += ch;
  }
  // Lenient: an unterminated string keeps what is there rather than failing the whole file.
  return { value: out.trimEnd(), rest: '' };
}

function afterSlash(rest: string): string {
  const j = rest.indexOf('/');
  return j < 0 ? '' : rest.slice(j + 1).trim();
}

/** A numeric keyword's value, or `def` when it is absent, not a number or not finite. */
export function numberOr(header: FitsHeader, key: string, def: number): number {
  const v = header.get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : def;
}

/** Parses the value field (whatever follows "= "), wherever in the field the value sits. */
export function parseValueField(field: string): { value: FitsValue; comment: string } {
  const s = field.trimStart();
  if (s.startsWith("'")) {
    const { value, rest } = parseQuoted(s);
    return { value, comment: afterSlash(rest) };
  }
  const slash = s.indexOf('/');
  const token = (slash < 0 ? s : s.slice(0, slash)).trim();
  const comment = slash < 0 ? '' : s.slice(slash + 1).trim();
  if (token === '') return { value: undefined, comment };
  // ZTF writes `SIMPLE  =  T` with T in column 12, not 30: the logical is read anywhere in the field.
  if (token === 'T') return { value: true, comment };
  if (token === 'F') return { value: false, comment };
  if (INT_RE.test(token)) return { value: Number(token), comment };
  if (FLOAT_RE.test(token)) return { value: Number(token.replace(/[Dd]/, 'E')), comment };
  // Complex values "(re, im)" and non-standard unquoted text are kept verbatim as strings.
  return { value: token, comment };
}

/**
 * A keyword card whose value field is parsed on first use: a stamp's reader asks for a handful of
 * its header's 30-odd keywords, and parsing every value (numbers, quoted strings) was the largest
 * part of decoding a stamp file after the pixels.
 */
class ValueCard implements FitsCard {
  private parsed: { value: FitsValue; comment: string } | null = null;
  constructor(
    readonly key: string,
    readonly raw: string,
    private readonly field: string,
  ) {}

  private get p(): { value: FitsValue; comment: string } {
    return (this.parsed ??= parseValueField(this.field));
  }
  get value(): FitsValue {
    return this.p.value;
  }
  set value(v: FitsValue) {
    this.p.value = v;
  }
  get comment(): string {
    return this.p.comment;
  }
  set comment(c: string) {
    this.p.comment = c;
  }
}

export function parseCard(raw: string): FitsCard {
  if (raw.startsWith('HIERARCH')) {
    // ESO convention: `HIERARCH ESO DET CHIP NAME = 'x'`; the key is everything before '='.
    const eq = raw.indexOf('=', 9);
    if (eq > 0) return new ValueCard(normKey(raw.slice(9, eq)), raw, raw.slice(eq + 1));
  }
  const key = cardKey(raw);
  if (COMMENTARY.has(key)) return { key, value: raw.slice(8).trimEnd(), comment: '', raw };
  if (key === 'CONTINUE') return new ValueCard(key, raw, raw.slice(8));
  // Value indicator "= " in columns 9-10; lenient about the blank in column 10.
  if (raw[8] === '=') return new ValueCard(key, raw, raw.slice(raw[9] === ' ' ? 10 : 9));
  return { key, value: undefined, comment: raw.slice(8).trim(), raw };
}

/** Folds the long-string convention: a string ending in '&' continues in the next CONTINUE card. */
function foldContinue(cards: FitsCard[]): void {
  // Without a CONTINUE card there is nothing to fold (and no value needs parsing to know it).
  if (!cards.some((c) => c.key === 'CONTINUE')) return;
  for (let i = 0; i < cards.length; i++) {
    const c = cards[i];
    if (typeof c.value !== 'string' || COMMENTARY.has(c.key) || c.key === 'CONTINUE') continue;
    // Fragments are collected and joined once: re-slicing the growing string per card was quadratic
    // (a header of 20,000 CONTINUE cards took seconds).
    const parts: string[] = [];
    const comments: string[] = c.comment ? [c.comment] : [];
    let last = c.value;
    let j = i + 1;
    while (last.endsWith('&') && j < cards.length && cards[j].key === 'CONTINUE') {
      parts.push(last.slice(0, -1));
      const next = cards[j].value;
      last = typeof next === 'string' ? next : '';
      if (cards[j].comment) comments.push(cards[j].comment);
      j++;
    }
    if (parts.length === 0) continue;
    parts.push(last);
    c.value = parts.join('');
    c.comment = comments.join(' ');
    i = j - 1;
  }
}

/**
 * Offset of the first byte in [from, to) that header text may not hold (printable ASCII only,
 * 0x20-0x7e), or -1. Four bytes at a time: a byte below 0x20, at or above 0x80, or equal to 0x7f
 * sets a high bit in one of three word tests (byte by byte, this loop was a fifth of decoding a
 * stamp file); the byte itself is then found one at a time.
 */
export function firstNonText(bytes: Uint8Array, from: number, to: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const x = dv.getUint32(i);
    const y = x ^ 0x7f7f7f7f;
    if (((x - 0x20202020) & ~x & 0x80808080) | (x & 0x80808080) | ((y - 0x01010101) & ~y & 0x80808080)) break;
  }
  for (; i < to; i++) if (bytes[i] < 0x20 || bytes[i] > 0x7e) return i;
  return -1;
}

function isEndCard(bytes: Uint8Array, p: number): boolean {
  if (bytes[p] !== 0x45 || bytes[p + 1] !== 0x4e || bytes[p + 2] !== 0x44) return false;
  for (let k = 3; k < 8; k++) if (bytes[p + k] !== 0x20) return false;
  return true;
}

/**
 * Reads cards from `offset` up to END. Stops at the first card holding non-ASCII bytes: that means
 * we ran into binary data, i.e. the END card is missing, which must not be read as a header.
 */
export function readHeader(
  bytes: Uint8Array,
  offset: number,
  file: string,
  hduIndex: number,
): { header: FitsHeader; end: number } {
  // Cards are checked for binary bytes a block at a time, so that a file of binary data is given
  // up at its first bad block.
  const notText = (from: number, to: number): void => {
    const bad = firstNonText(bytes, from, to);
    if (bad >= 0) {
      throw new FitsError(
        file,
        `HDU ${hduIndex} header has no END card (binary bytes found in card ${Math.floor((bad - offset) / CARD) + 1})`,
        'the header is corrupt or the file is not FITS; re-export it',
      );
    }
  };
  let p = offset;
  let checked = offset;
  for (; p + CARD <= bytes.length; p += CARD) {
    if (isEndCard(bytes, p)) break;
    if (p + CARD - checked >= BLOCK) {
      notText(checked, p + CARD);
      checked = p + CARD;
    }
  }
  notText(checked, p);
  if (p + CARD > bytes.length) {
    throw new FitsError(
      file,
      `HDU ${hduIndex} header has no END card before the end of the file (truncated header)`,
      'the file is incomplete; download or export it again',
    );
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + offset, p - offset).toString('latin1');
  const cards: FitsCard[] = [];
  for (let q = 0; q < text.length; q += CARD) cards.push(parseCard(text.slice(q, q + CARD)));
  foldContinue(cards);
  return { header: new Header(cards), end: p + CARD };
}
