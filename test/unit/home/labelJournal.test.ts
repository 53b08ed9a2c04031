import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countLabels, LabelJournal } from '../../../src/main/catalog/labelJournal';
import { humanLabel } from '../helpers/journal';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'skysift-journal-'));

describe('the label journal', () => {
  it('keeps the last word per candidate, removals included, across reopening', async () => {
    const dir = tmp();
    const j = new LabelJournal(dir);
    await j.append([
      { op: 'set', label: humanLabel(dir, 'a', 'real') },
      { op: 'set', label: humanLabel(dir, 'b', 'bogus') },
    ]);
    await j.append([{ op: 'set', label: humanLabel(dir, 'a', 'bogus', { subclass: 'cosmic-ray' }) }]);
    await j.append([{ op: 'remove', candidateId: 'b', at: new Date().toISOString() }]);
    const again = new LabelJournal(dir).read();
    expect([...again.labels.keys()]).toEqual(['a']);
    expect(again.labels.get('a')).toMatchObject({ label: 'bogus', subclass: 'cosmic-ray' });
    expect(again.damaged).toEqual([]);
    // Four events, four lines: nothing was rewritten in place.
    expect(readFileSync(j.file, 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('appends concurrent batches whole, one after another', async () => {
    const dir = tmp();
    const j = new LabelJournal(dir);
    await Promise.all(
      Array.from({ length: 20 }, (_, k) =>
        j.append(
          Array.from({ length: 5 }, (_, i) => ({
            op: 'set' as const,
            label: humanLabel(dir, `c${k}-${i}`, 'real'),
          })),
        ),
      ),
    );
    const lines = readFileSync(j.file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(100);
    expect(new LabelJournal(dir).labels()).toHaveLength(100);
  });

  it('cuts a torn last line (an append cut short by a crash) and reports a damaged line by file and number', async () => {
    const dir = tmp();
    const j = new LabelJournal(dir);
    await j.append([{ op: 'set', label: humanLabel(dir, 'a', 'real') }]);
    appendFileSync(j.file, '{"op":"set","label":{"candidateId":"torn"');
    const torn = new LabelJournal(dir).read();
    expect(torn.labels.size).toBe(1);
    expect(torn.damaged[0].reason).toMatch(/journal\.jsonl:2: an append cut short by a crash/);
    await j.append([{ op: 'set', label: humanLabel(dir, 'b', 'bogus') }]);
    const after = new LabelJournal(dir).read();
    expect([...after.labels.keys()].sort()).toEqual(['a', 'b']);
    expect(after.damaged).toEqual([]);

    writeFileSync(j.file, readFileSync(j.file, 'utf8') + '{"op":"set","label":{"candidateId":""}}\n');
    const bad = new LabelJournal(dir).read();
    expect(bad.labels.size).toBe(2);
    expect(bad.damaged[0].reason).toMatch(/journal\.jsonl:3: not a label event/);
  });

  it('refuses to write an event that is not a label', async () => {
    const dir = tmp();
    const j = new LabelJournal(dir);
    const broken = { ...humanLabel(dir, 'a', 'real'), secondsSpent: -1 };
    await expect(j.append([{ op: 'set', label: broken }])).rejects.toThrow();
    expect(j.labels()).toEqual([]);
  });

  it('counts by the class a sub-class implies; skips apart', () => {
    const dir = tmp();
    expect(
      countLabels([
        humanLabel(dir, 'a', 'real', { subclass: 'variable-star' }),
        humanLabel(dir, 'b', 'bogus'),
        humanLabel(dir, 'c', 'skip'),
        humanLabel(dir, 'd', 'real', { subclass: 'sn' }),
      ]),
    ).toEqual({ real: 2, bogus: 1, skip: 1 });
  });
});
