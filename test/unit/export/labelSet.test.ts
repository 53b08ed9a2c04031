import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../../src/main/catalog/workspace';
import { exportLabelSet, importLabelSet } from '../../../src/main/export/exportService';
import { labelsToCsv, labelsToJson, parseLabelFile } from '../../../src/main/export/labelSetFile';
import { HumanLabelSchema, type HumanLabel } from '../../../src/shared/labels';
import { label, makeWorkspace, tmpDir } from './fixtures';

const NOW = new Date('2024-03-02T08:00:00Z');

describe('label sets: export then import', () => {
  for (const format of ['csv', 'json'] as const) {
    it(`${format}: into an empty set gives back exactly the labels exported`, async () => {
      const ws = await makeWorkspace();
      const mine = [
        label(ws, 'c1', { subclass: 'sn' }),
        label(ws, 'c2', { label: 'bogus', subclass: 'cosmic-ray', score: null, modelVersion: null }),
        label(ws, 'c3', { label: 'skip', by: 'Jürgen, "JB" Bauer\nnight shift', secondsSpent: 0 }),
        label(ws, '=HYPERLINK("x")', { by: '@admin', subclass: '-1+2', modelVersion: "'quoted" }),
      ];
      const out = tmpDir();
      const written = await exportLabelSet(ws, { labels: mine, format, folder: out }, NOW);
      expect(written.rows).toBe(4);
      expect(path.basename(written.file)).toBe(`skysift-labels-test-night-20240302T080000Z.${format}`);
      const back = await importLabelSet(ws, { file: written.file, existing: [] });
      expect(back.errors).toEqual([]);
      expect(back.conflicts).toEqual([]);
      expect(back.unknownIds).toEqual([]);
      expect(back.labels).toEqual(mine);
    });

    it(`${format}: into a set with other labels, disagreements are conflicts and nothing is overwritten`, async () => {
      const ws = await makeWorkspace();
      const theirs = [label(ws, 'c1'), label(ws, 'c2', { label: 'bogus' }), label(ws, 'c3')];
      const file = (await exportLabelSet(ws, { labels: theirs, format, folder: tmpDir() }, NOW)).file;
      const existing = [
        label(ws, 'c1', { by: 'me', labelledAt: '2024-03-03T00:00:00Z' }), // same verdict: skipped
        label(ws, 'c2', { label: 'real', subclass: 'agn', by: 'me' }), // different: conflict
      ];
      const snapshot = structuredClone(existing);
      const result = await importLabelSet(ws, { file, existing });
      expect(existing).toEqual(snapshot);
      expect(result.identical).toBe(1);
      expect(result.labels).toEqual([theirs[2]]);
      expect(result.conflicts).toEqual([{ candidateId: 'c2', mine: existing[1], theirs: theirs[1] }]);
    });
  }

  it('re-homes a colleague’s labels into the open workspace and reports ids it does not have', async () => {
    const ws = await makeWorkspace();
    const theirs = [
      label(ws, 'c1', { workspace: '/home/colleague/night' }),
      label(ws, 'nope', { workspace: '/home/colleague/night' }),
    ];
    const file = (await exportLabelSet(ws, { labels: theirs, format: 'json', folder: tmpDir() }, NOW)).file;
    const result = await importLabelSet(ws, { file, existing: [] });
    expect(result.labels).toEqual([{ ...theirs[0], workspace: ws.dir }]);
    expect(result.unknownIds).toEqual(['nope']);
  });

  it('loses nothing for any label set (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const nonEmpty = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
    const arbLabel: fc.Arbitrary<HumanLabel> = fc.record({
      candidateId: nonEmpty,
      workspace: text,
      label: fc.constantFrom('real', 'bogus', 'skip'),
      subclass: fc.option(nonEmpty, { nil: null }),
      modelVersion: fc.option(nonEmpty, { nil: null }),
      score: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
      secondsSpent: fc.double({ min: 0, max: 1e6, noNaN: true }),
      labelledAt: fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      by: nonEmpty,
    });
    fc.assert(
      fc.property(fc.array(arbLabel, { maxLength: 8 }), (labels) => {
        for (const l of labels) HumanLabelSchema.parse(l);
        for (const [name, text] of [
          ['a.csv', labelsToCsv(labels)],
          ['a.json', labelsToJson(labels, 'w', NOW)],
        ]) {
          const back = parseLabelFile(text, name);
          expect(back.errors).toEqual([]);
          // -0 is written as 0 by both CSV and JSON; it is the same score.
          expect(back.labels.map((p) => p.label)).toEqual(
            labels.map((l) => ({
              ...l,
              score: Object.is(l.score, -0) ? 0 : l.score,
              secondsSpent: l.secondsSpent || 0,
            })),
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('label CSV in a spreadsheet', () => {
  it('defuses cells starting with = + - @ and reads them back unchanged', async () => {
    const ws = await makeWorkspace();
    const evil = ['=1+1', '+cmd|calc', '-2+3', '@SUM(A1)'];
    const labels = evil.map((by, i) => label(ws, `c${i + 1}`, { by }));
    const csv = labelsToCsv(labels);
    for (const s of evil) {
      expect(csv).toContain(`'${s}`);
      expect(csv).not.toMatch(new RegExp(`(^|,)${s.replace(/[|+()]/g, '\\$&')}`, 'm'));
    }
    expect(parseLabelFile(csv, 'x.csv').labels.map((p) => p.label.by)).toEqual(evil);
  });
});

describe('broken label files: clear errors with file and line, good lines still read', () => {
  async function importText(name: string, text: string, existing: HumanLabel[] = [], given?: Workspace) {
    const ws = given ?? (await makeWorkspace());
    const file = path.join(tmpDir(), name);
    writeFileSync(file, text);
    return { ws, result: await importLabelSet(ws, { file, existing }) };
  }

  it('bad JSON names the line', async () => {
    const { result } = await importText(
      'bad.json',
      '{\n  "format": "skysift-labels",\n  "version": 1,\n  oops\n}',
    );
    expect(result.labels).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].line).toBe(4);
    expect(result.errors[0].reason).toMatch(/^bad\.json, line 4: not valid JSON/);
  });

  it('a JSON file that is not a label set says so; a newer version asks for an update', async () => {
    expect((await importText('x.json', '[1,2]')).result.errors[0].reason).toMatch(
      /x\.json, line 1: not a Skysift label file/,
    );
    const newer = JSON.stringify({
      format: 'skysift-labels',
      version: 9,
      workspace: 'w',
      exportedAt: '',
      labels: [],
    });
    expect((await importText('y.json', newer)).result.errors[0].reason).toMatch(/newer Skysift/);
  });

  it('a bad label in JSON is reported at its line; the others are imported', async () => {
    const ws = await makeWorkspace();
    const text = labelsToJson(
      [label(ws, 'c1'), { ...label(ws, 'c2'), label: 'maybe' as never }, label(ws, 'c3')],
      'w',
      NOW,
    );
    const file = path.join(tmpDir(), 'l.json');
    writeFileSync(file, text);
    const result = await importLabelSet(ws, { file, existing: [] });
    expect(result.labels.map((l) => l.candidateId)).toEqual(['c1', 'c3']);
    expect(result.errors).toHaveLength(1);
    const line = text.split('\n').findIndex((l) => l.includes('maybe')) + 1;
    expect(result.errors[0]).toEqual({
      line,
      reason: expect.stringMatching(new RegExp(`^l\\.json, line ${line}: label 2 \\("c2"\\).*label`)),
    });
  });

  it('wrong CSV columns: refused with the missing columns named', async () => {
    const { result } = await importText('w.csv', 'id,verdict\nc1,real\n');
    expect(result.labels).toEqual([]);
    expect(result.errors[0].reason).toMatch(
      /^w\.csv, line 1: not a label file, missing columns candidateId, label \(needs candidateId,label/,
    );
  });

  it('a pipeline CSV with only candidateId,label imports, saying where the labels came from', async () => {
    const ws = await makeWorkspace();
    const { result } = await importText(
      'pipe.csv',
      'candidateId,label\nc1,real\nc2,bogus\nc3,maybe\n',
      [],
      ws,
    );
    expect(result.labels.map((l) => [l.candidateId, l.label, l.by, l.subclass, l.secondsSpent])).toEqual([
      ['c1', 'real', 'file pipe.csv', null, 0],
      ['c2', 'bogus', 'file pipe.csv', null, 0],
    ]);
    expect(result.errors.map((e) => e.line)).toEqual([4]);
  });

  it('bad label values and short rows in CSV: each line reported, good lines imported', async () => {
    const ws = await makeWorkspace();
    const csv = labelsToCsv([label(ws, 'c1'), label(ws, 'c2'), label(ws, 'c3')]).split('\r\n');
    csv[2] = csv[2].replace(',real,', ',maybe,');
    csv[3] = csv[3].slice(0, 20);
    const { result } = await importText('b.csv', csv.join('\r\n'), [], ws);
    expect(result.labels.map((l) => l.candidateId)).toEqual(['c1']);
    expect(result.errors.map((e) => e.line)).toEqual([3, 4]);
    expect(result.errors[0].reason).toMatch(/^b\.csv, line 3: label for "c2" is not valid \(label:/);
    expect(result.errors[1].reason).toMatch(/^b\.csv, line 4: \d+ cells where the header has 9/);
  });

  it('a CSV cut short inside a quoted field keeps every line before it', async () => {
    const ws = await makeWorkspace();
    const text = labelsToCsv([label(ws, 'c1'), label(ws, 'c2', { by: 'A, "B"' })]);
    const cut = text.slice(0, text.indexOf('"B"') + 2);
    const existing = [label(ws, 'c3')];
    const { result } = await importText('t.csv', cut, existing, ws);
    expect(result.labels.map((l) => l.candidateId)).toEqual(['c1']);
    expect(result.errors).toEqual([
      { line: 3, reason: expect.stringMatching(/^t\.csv, line 3: a quoted field is never closed/) },
    ]);
    expect(existing).toEqual([label(ws, 'c3')]);
  });

  it('a file labelling one candidate twice, differently, keeps the first and reports the second', async () => {
    const ws = await makeWorkspace();
    const text = labelsToCsv([label(ws, 'c1'), label(ws, 'c1'), label(ws, 'c1', { label: 'bogus' })]);
    const { result } = await importText('d.csv', text, [], ws);
    expect(result.labels).toEqual([label(ws, 'c1')]);
    expect(result.errors).toEqual([
      {
        line: 4,
        reason: expect.stringMatching(
          /line 4: candidate "c1" is labelled again, differently \(first on line 2\)/,
        ),
      },
    ]);
  });

  it('a missing file is an error naming it', async () => {
    const ws = await makeWorkspace();
    await expect(importLabelSet(ws, { file: '/nonexistent/labels.csv', existing: [] })).rejects.toThrow(
      /\/nonexistent\/labels\.csv: no such file/,
    );
  });
});
