/**
 * The confirmed list as an IVOA VOTable 1.4 (REC 2019-10-21), TABLEDATA serialisation, so TOPCAT,
 * astropy, Aladin or a VO service read it with units and meaning attached: UCDs for position, time
 * and photometry, a COOSYS (ICRS) that the position fields reference and a TIMESYS (MJD, UTC,
 * topocentre: the time of the exposure as the survey recorded it) that the time field references.
 *
 * VOTable 1.4 keeps the 1.3 namespace (the 1.4 schema's targetNamespace is .../VOTable/v1.3).
 * Empty TD means null for every column: NaN for doubles, "not known" for text.
 */
import { CONFIRMED_COLUMNS, type ConfirmedRow } from './confirmedRows';
import { SIMULATED_NOTE } from './confirmedTable';

/** XML 1.0 Char production: tab, LF, CR, and everything from space up except surrogates and FFFE/FFFF. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

export const VOTABLE_NS = 'http://www.ivoa.net/xml/VOTable/v1.3';
export const VOTABLE_SCHEMA_LOCATION = 'http://www.ivoa.net/xml/VOTable/VOTable-1.4.xsd';
export const COOSYS_ID = 'icrs';
export const TIMESYS_ID = 'mjd_utc';

export interface VoFieldSpec {
  name: (typeof CONFIRMED_COLUMNS)[number];
  kind: 'text' | 'double';
  unit?: string;
  ucd: string;
  ref?: string;
  xtype?: string;
  description: string;
}

export const CONFIRMED_FIELDS: readonly VoFieldSpec[] = [
  { name: 'id', kind: 'text', ucd: 'meta.id;meta.main', description: 'Skysift candidate id' },
  { name: 'objectId', kind: 'text', ucd: 'meta.id', description: "The survey's object name" },
  { name: 'survey', kind: 'text', ucd: 'meta.dataset', description: 'Survey the candidate came from' },
  {
    name: 'ra',
    kind: 'double',
    unit: 'deg',
    ucd: 'pos.eq.ra;meta.main',
    ref: COOSYS_ID,
    description: 'Right ascension (ICRS)',
  },
  {
    name: 'dec',
    kind: 'double',
    unit: 'deg',
    ucd: 'pos.eq.dec;meta.main',
    ref: COOSYS_ID,
    description: 'Declination (ICRS)',
  },
  {
    name: 'mjd',
    kind: 'double',
    unit: 'd',
    ucd: 'time.epoch',
    ref: TIMESYS_ID,
    description: 'Time of the search image (MJD, UTC)',
  },
  // instr.bandpass ("band name"): instr.filter is a secondary-only word in UCD1+, invalid alone.
  { name: 'band', kind: 'text', ucd: 'instr.bandpass', description: 'Filter (band name)' },
  {
    name: 'mag',
    kind: 'double',
    unit: 'mag',
    ucd: 'phot.mag',
    description: 'Magnitude in the difference image',
  },
  { name: 'magErr', kind: 'double', unit: 'mag', ucd: 'stat.error;phot.mag', description: 'Magnitude error' },
  {
    name: 'exptime',
    kind: 'double',
    unit: 's',
    ucd: 'time.duration;obs.exposure',
    description: 'Exposure time',
  },
  {
    name: 'firstDetection',
    kind: 'double',
    unit: 'd',
    ucd: 'time.epoch;obs',
    ref: TIMESYS_ID,
    description: "First detection of the object (MJD): its light curve, or the survey's detection history",
  },
  {
    name: 'detections',
    kind: 'double',
    ucd: 'meta.number',
    description: 'Detections in the light curve of the object (its packets and nights)',
  },
  {
    name: 'peakMag',
    kind: 'double',
    unit: 'mag',
    ucd: 'phot.mag;stat.min',
    description: 'Brightest detection of the object (smallest magnitude)',
  },
  {
    name: 'score',
    kind: 'double',
    ucd: 'stat.probability',
    description: 'Real/bogus classifier score (1 = real)',
  },
  { name: 'model', kind: 'text', ucd: 'meta.code', description: 'Model version that gave the score' },
  { name: 'label', kind: 'text', ucd: 'meta.code.class', description: "The astronomer's label" },
  { name: 'subclass', kind: 'text', ucd: 'src.class', description: 'Sub-class given with the label' },
  { name: 'by', kind: 'text', ucd: 'meta.curation', description: 'Who labelled it' },
  {
    name: 'labelledAt',
    kind: 'text',
    ucd: 'time.creation',
    xtype: 'timestamp',
    description: 'When it was labelled (ISO 8601, UTC)',
  },
];

/**
 * Escape for XML text and attribute values. CR, LF and tab are escaped too, so attribute-value
 * normalisation and end-of-line handling cannot change them. Characters XML 1.0 cannot carry at
 * all (most C0 controls) become U+FFFD: no conforming reader could read the file otherwise.
 */
export function xmlEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else if (ch === '\r') out += '&#xD;';
    else if (ch === '\n') out += '&#xA;';
    else if (ch === '\t') out += '&#x9;';
    else if (!isXmlChar(cp)) out += '\uFFFD';
    else out += ch;
  }
  return out;
}

const attrs = (a: Record<string, string | undefined>) =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(v!)}"`)
    .join('');

// VOTable 'char' is 7-bit ASCII; text with anything else (a name like "Jürgen") is unicodeChar.
const isAscii = (s: string) => [...s].every((ch) => ch.charCodeAt(0) < 0x80);

function cell(row: ConfirmedRow, f: VoFieldSpec): string {
  const v = row[f.name];
  if (v === null || v === undefined) return '';
  // String(x) is the shortest text that reads back as the same double.
  return xmlEscape(String(v));
}

export function confirmedToVoTable(
  rows: readonly ConfirmedRow[],
  meta: {
    workspace: string;
    exportedAt: Date;
    activeModel: string | null;
    generator: string;
    simulated?: boolean;
  },
): string {
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<VOTABLE${attrs({
      version: '1.4',
      xmlns: VOTABLE_NS,
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:schemaLocation': `${VOTABLE_NS} ${VOTABLE_SCHEMA_LOCATION}`,
    })}>`,
  );
  out.push(
    `  <DESCRIPTION>${meta.simulated ? `${SIMULATED_NOTE} ` : ''}Supernova candidates confirmed as real by an astronomer in Skysift (workspace ${xmlEscape(meta.workspace)}).</DESCRIPTION>`,
  );
  out.push(`  <RESOURCE${attrs({ name: 'skysift-confirmed', type: 'results' })}>`);
  out.push(`    <INFO${attrs({ name: 'workspace', value: meta.workspace })}/>`);
  out.push(`    <INFO${attrs({ name: 'exportedAt', value: meta.exportedAt.toISOString() })}/>`);
  out.push(`    <INFO${attrs({ name: 'activeModel', value: meta.activeModel ?? '' })}/>`);
  out.push(`    <INFO${attrs({ name: 'generator', value: meta.generator })}/>`);
  if (meta.simulated)
    out.push(`    <INFO${attrs({ name: 'simulated', value: 'true' })}>${SIMULATED_NOTE}</INFO>`);
  out.push(`    <COOSYS${attrs({ ID: COOSYS_ID, system: 'ICRS' })}/>`);
  out.push(
    `    <TIMESYS${attrs({ ID: TIMESYS_ID, timeorigin: 'MJD-origin', timescale: 'UTC', refposition: 'TOPOCENTER' })}/>`,
  );
  out.push(`    <TABLE${attrs({ name: 'confirmed', nrows: String(rows.length) })}>`);
  for (const f of CONFIRMED_FIELDS) {
    const text = f.kind === 'text';
    const ascii = !text || rows.every((r) => isAscii(String(r[f.name] ?? '')));
    out.push(
      `      <FIELD${attrs({
        // ID = name: astropy's to_table() names columns by ID, so 'col_ra' read back as col_ra.
        name: f.name,
        ID: f.name,
        datatype: text ? (ascii ? 'char' : 'unicodeChar') : 'double',
        arraysize: text ? '*' : undefined,
        unit: f.unit,
        ucd: f.ucd,
        ref: f.ref,
        xtype: f.xtype,
      })}>`,
    );
    out.push(`        <DESCRIPTION>${xmlEscape(f.description)}</DESCRIPTION>`);
    out.push('      </FIELD>');
  }
  out.push('      <DATA>');
  out.push('        <TABLEDATA>');
  for (const row of rows)
    out.push(`          <TR>${CONFIRMED_FIELDS.map((f) => `<TD>${cell(row, f)}</TD>`).join('')}</TR>`);
  out.push('        </TABLEDATA>');
  out.push('      </DATA>');
  out.push('    </TABLE>');
  out.push('  </RESOURCE>');
  out.push('</VOTABLE>');
  return out.join('\n') + '\n';
}
