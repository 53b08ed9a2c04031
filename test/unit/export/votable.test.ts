import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confirmedRows, type ConfirmedRow } from '../../../src/main/export/confirmedRows';
import { exportConfirmed } from '../../../src/main/export/exportService';
import { CONFIRMED_FIELDS, confirmedToVoTable } from '../../../src/main/export/votable';
import { readConfirmedVoTable, readVoTable } from '../../support/votableRead';
import { parseXml } from '../../support/xmlTree';
import { label, makeWorkspace, tmpDir } from './fixtures';
import { checkVoTable } from './votableStructure';
import { ucdProblems } from './ucd';

const META = {
  workspace: 'w',
  exportedAt: new Date('2024-03-02T08:00:00Z'),
  activeModel: 'v1',
  generator: 'test',
};

/** astropy: parse with every warning an exception (W06 bad UCD included), then to_table(). */
const ASTROPY_CHECK = `
import json, sys, warnings
from astropy.io.votable import parse
warnings.simplefilter('error')
t = parse(sys.argv[1], verify='exception').get_first_table().to_table()
print(json.dumps({'columns': t.colnames, 'n': len(t),
  'ra': [None if v is None or v != v else float(v) for v in t['ra'].filled(float('nan'))]}))
`;
import { DEBIAN_PYTHON, havePythonModule } from '../helpers/astropy';

const haveAstropy = () => havePythonModule('astropy.io.votable');

/** The VOTable 1.4 schema as Debian's python3-astropy ships it, if installed. */
function votableXsd(): string | null {
  try {
    const dir = execFileSync(
      DEBIAN_PYTHON,
      ['-c', 'import os, astropy.io.votable as v; print(os.path.join(os.path.dirname(v.__file__), "data"))'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
    const xsd = path.join(dir, 'VOTable.v1.4.xsd');
    return existsSync(xsd) ? xsd : null;
  } catch {
    return null;
  }
}

function haveXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('VOTable 1.4 export', () => {
  it('passes the structural schema check and re-reads into the same rows', async () => {
    const ws = await makeWorkspace();
    const labels = [
      label(ws, 'c1', { subclass: 'sn' }),
      label(ws, 'c3', { by: 'Jürgen <jb@obs> & "co"\r\nline two\ttab', score: null }),
      label(ws, 'c4'),
      label(ws, '=HYPERLINK("x")', { subclass: "it's" }),
      label(ws, 'c2', { label: 'bogus' }),
      label(ws, 'gone'),
    ];
    const result = await exportConfirmed(
      ws,
      { labels, format: 'votable', folder: tmpDir() },
      META.exportedAt,
    );
    expect(result.rows).toBe(4);
    expect(result.unknownIds).toEqual(['gone']);
    expect(result.file).toMatch(/skysift-confirmed-test-night-20240302T080000Z\.vot$/);
    const text = readFileSync(result.file, 'utf8');
    expect(checkVoTable(text)).toEqual([]);
    const expected = confirmedRows(ws, labels).rows;
    expect(expected).toHaveLength(4);
    expect(readConfirmedVoTable(text)).toEqual(expected);
  });

  it('declares units, UCDs, ICRS and an MJD/UTC time system the position and time fields point at', async () => {
    const ws = await makeWorkspace();
    const text = confirmedToVoTable(confirmedRows(ws, [label(ws, 'c1')]).rows, META);
    const t = readVoTable(text);
    expect(t.version).toBe('1.4');
    expect(t.xmlns).toBe('http://www.ivoa.net/xml/VOTable/v1.3');
    const f = Object.fromEntries(t.fields.map((x) => [x.name, x]));
    expect(f.id).toMatchObject({ datatype: 'char', arraysize: '*', ucd: 'meta.id;meta.main' });
    expect(f.ra).toMatchObject({ datatype: 'double', unit: 'deg', ucd: 'pos.eq.ra;meta.main', ref: 'icrs' });
    expect(f.dec).toMatchObject({
      datatype: 'double',
      unit: 'deg',
      ucd: 'pos.eq.dec;meta.main',
      ref: 'icrs',
    });
    expect(f.mjd).toMatchObject({ datatype: 'double', unit: 'd', ucd: 'time.epoch', ref: 'mjd_utc' });
    expect(f.band.ucd).toBe('instr.bandpass');
    expect(f.mag).toMatchObject({ unit: 'mag', ucd: 'phot.mag' });
    expect(f.score.ucd).toBe('stat.probability');
    expect(f.model.ucd).toBe('meta.code');
    expect(f.label.ucd).toBe('meta.code.class');
    expect(f.labelledAt.ucd).toBe('time.creation');
    const resource = t.root.children.find((c) => c.name === 'RESOURCE')!;
    expect(resource.children.find((c) => c.name === 'COOSYS')!.attrs).toEqual({ ID: 'icrs', system: 'ICRS' });
    expect(resource.children.find((c) => c.name === 'TIMESYS')!.attrs).toEqual({
      ID: 'mjd_utc',
      timeorigin: 'MJD-origin',
      timescale: 'UTC',
      refposition: 'TOPOCENTER',
    });
  });

  it('writes non-ASCII text columns as unicodeChar, ASCII ones as char', async () => {
    const ws = await makeWorkspace();
    const rows = confirmedRows(ws, [label(ws, 'c1', { by: 'Zoë' }), label(ws, 'c3')]).rows;
    const t = readVoTable(confirmedToVoTable(rows, META));
    expect(t.fields.find((f) => f.name === 'by')!.datatype).toBe('unicodeChar');
    expect(t.fields.find((f) => f.name === 'band')!.datatype).toBe('char');
  });

  it('an empty list is still a valid table', () => {
    const text = confirmedToVoTable([], META);
    expect(checkVoTable(text)).toEqual([]);
    expect(readConfirmedVoTable(text)).toEqual([]);
  });

  it('every FIELD has a valid UCD1+ (primary word first, secondary words after) and ID = name', async () => {
    const ws = await makeWorkspace();
    const t = readVoTable(confirmedToVoTable(confirmedRows(ws, [label(ws, 'c1')]).rows, META));
    expect(t.fields.length).toBe(CONFIRMED_FIELDS.length);
    const table = t.root.children
      .find((c) => c.name === 'RESOURCE')!
      .children.find((c) => c.name === 'TABLE')!;
    const fieldEls = table.children.filter((c) => c.name === 'FIELD');
    expect(fieldEls.length).toBe(t.fields.length);
    for (const f of fieldEls) {
      expect(ucdProblems(f.attrs.ucd ?? ''), `${f.attrs.name}: ${f.attrs.ucd}`).toEqual([]);
      // astropy's to_table() names columns by ID: ID = name gives ra, dec, not col_ra, col_dec.
      expect(f.attrs.ID, f.attrs.name).toBe(f.attrs.name);
    }
    // The check is not vacuous: the UCD astropy rejected (W06) and other misuses are caught.
    expect(ucdProblems('instr.filter')).toEqual(['"instr.filter" may only follow a primary word']);
    expect(ucdProblems('phot.mag;meta.id')).toEqual(['"meta.id" may only come first']);
    expect(ucdProblems('instr.flter')).toEqual(['"instr.flter" is not a UCD1+ word used here']);
  });

  it('validates against the VOTable 1.4 XSD with xmllint (installed by scripts/setup-votable-tools.sh)', async (ctx) => {
    const xsd = votableXsd();
    if (!haveXmllint() || !xsd) {
      console.warn(
        `[skysift tests] VOTable XSD validation skipped: ${!haveXmllint() ? 'xmllint (libxml2-utils)' : 'VOTable.v1.4.xsd of python3-astropy'} is not installed; scripts/setup-votable-tools.sh installs it.`,
      );
      ctx.skip();
    }
    const ws = await makeWorkspace();
    const rows = confirmedRows(ws, [
      label(ws, 'c1', { by: 'a & <b>\u0001' }),
      label(ws, '=HYPERLINK("x")'),
    ]).rows;
    const file = path.join(tmpDir(), 'x.vot');
    writeFileSync(file, confirmedToVoTable(rows, { ...META, simulated: true }));
    expect(() =>
      execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsd!, file], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it("passes astropy's strict validation and reads back with columns named ra, dec", async (ctx) => {
    if (!haveAstropy()) {
      console.warn(
        '[skysift tests] astropy check skipped: python3-astropy is not installed; scripts/setup-votable-tools.sh installs it.',
      );
      ctx.skip();
    }
    const ws = await makeWorkspace();
    const result = await exportConfirmed(
      ws,
      { labels: [label(ws, 'c1'), label(ws, 'c3'), label(ws, 'c4')], format: 'votable', folder: tmpDir() },
      META.exportedAt,
    );
    const out = execFileSync(DEBIAN_PYTHON, ['-c', ASTROPY_CHECK, result.file], { encoding: 'utf8' });
    const got = JSON.parse(out) as { columns: string[]; ra: (number | null)[]; n: number };
    expect(got.columns).toEqual(CONFIRMED_FIELDS.map((f) => f.name));
    expect(got.n).toBe(3);
    expect(got.ra[0]).toBe(284.1196294);
  });

  it('the structural check is not vacuous: it catches what the schema forbids', () => {
    const good = confirmedToVoTable([], META);
    const bad = (from: string, to: string) => {
      expect(good).toContain(from);
      return checkVoTable(good.replace(from, to));
    };
    expect(bad('version="1.4"', 'version="2.0"')).toEqual([
      expect.stringMatching(/version/),
      expect.stringMatching(/version/),
    ]);
    expect(bad('http://www.ivoa.net/xml/VOTable/v1.3"', 'urn:x"')).toEqual([
      expect.stringMatching(/namespace/),
    ]);
    expect(bad(' datatype="double"', '')).toContainEqual(
      expect.stringMatching(/required attribute datatype missing/),
    );
    expect(bad('datatype="double"', 'datatype="real"')).toContainEqual(
      expect.stringMatching(/datatype="real" not one of/),
    );
    expect(bad('ucd="pos.eq.ra;meta.main"', 'ucd="pos eq ra"')).toContainEqual(expect.stringMatching(/ucd=/));
    expect(bad('ref="icrs"', 'ref="nowhere"')).toContainEqual(
      expect.stringMatching(/ref "nowhere" names no ID/),
    );
    expect(bad('timescale="UTC"', '')).toContainEqual(expect.stringMatching(/timescale missing/));
    expect(bad('<COOSYS ID="icrs" system="ICRS"/>', '')).toContainEqual(expect.stringMatching(/names no ID/));
    expect(bad('      <DATA>', '      <LINK/><DATA><TR/>')).toContainEqual(
      expect.stringMatching(/not allowed by the schema/),
    );
    expect(bad('</TABLE>\n  </RESOURCE>', '</TABLE>\n    <COOSYS ID="z"/>\n  </RESOURCE>')).toContainEqual(
      expect.stringMatching(/RESOURCE.*not allowed/),
    );
    expect(bad('<TABLEDATA>', '<TABLEDATA><TR><TD>x</TD></TR>')).toContainEqual(
      expect.stringMatching(/1 TD for 19 FIELD/),
    );
    expect(
      bad('</DESCRIPTION>\n  <RESOURCE', '</DESCRIPTION>\n  <RESOURCE><BOGUS/></RESOURCE>\n  <RESOURCE'),
    ).toContainEqual(expect.stringMatching(/BOGUS.*not in the VOTable schema/));
    expect(checkVoTable(good)).toEqual([]);
    expect(checkVoTable('<VOTABLE><RESOURCE></VOTABLE>')[0]).toMatch(/not well-formed/);
  });

  it('checks cell values against their datatype', async () => {
    const ws = await makeWorkspace();
    const text = confirmedToVoTable(confirmedRows(ws, [label(ws, 'c1')]).rows, META);
    expect(checkVoTable(text.replace('<TD>284.1196294</TD>', '<TD>12h30m</TD>'))).toEqual([
      expect.stringMatching(/FIELD ra: "12h30m" is not double/),
    ]);
  });
});

describe('the XML reader', () => {
  it('decodes entities and character references, and keeps escaped CR/LF/tab', () => {
    const el = parseXml(
      '<?xml version="1.0"?>\r\n<!-- c --><A b="x&#xA;y&quot;">1 &lt; 2 &amp;&#13;&#x9;<![CDATA[<raw>]]></A>',
    );
    expect(el.attrs.b).toBe('x\ny"');
    expect(el.text).toBe('1 < 2 &\r\t<raw>');
  });

  it('refuses DOCTYPEs, unknown entities, stray ampersands and mismatched tags, with the line', () => {
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).toThrow(/DOCTYPE/);
    expect(() => parseXml('<a>\n&nbsp;</a>')).toThrow(/line 2: unknown entity/);
    expect(() => parseXml('<a>fish & chips</a>')).toThrow(/"&"/);
    expect(() => parseXml('<a>\n<b></a>')).toThrow(/line 2: <\/a> closes <b>/);
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
  });
});

export type { ConfirmedRow };
