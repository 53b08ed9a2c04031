import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confirmedRows, type ConfirmedRow } from '../../../src/main/export/confirmedRows';
import { exportConfirmed } from '../../../src/main/export/exportService';
import { confirmedToVoTable } from '../../../src/main/export/votable';
import { readConfirmedVoTable, readVoTable } from '../../../src/main/export/votableRead';
import { parseXml } from '../../../src/main/export/xmlTree';
import { label, makeWorkspace, tmpDir } from './fixtures';
import { checkVoTable } from './votableStructure';

const META = {
  workspace: 'w',
  exportedAt: new Date('2024-03-02T08:00:00Z'),
  activeModel: 'v1',
  generator: 'test',
};

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
    expect(f.band.ucd).toBe('instr.filter');
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

  it('is well-formed XML for xmllint too (where installed)', async (ctx) => {
    if (!haveXmllint()) ctx.skip();
    const ws = await makeWorkspace();
    const rows = confirmedRows(ws, [
      label(ws, 'c1', { by: 'a & <b>\u0001' }),
      label(ws, '=HYPERLINK("x")'),
    ]).rows;
    const file = path.join(tmpDir(), 'x.vot');
    writeFileSync(file, confirmedToVoTable(rows, META));
    expect(() => execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' })).not.toThrow();
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
