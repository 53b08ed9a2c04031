import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Workspace, type NewCandidate } from '../../../src/main/catalog/workspace';
import type { StampImage } from '../../../src/shared/stamp';

function image(w: number, h: number, seed: number): StampImage {
  const data = new Float32Array(w * h).map((_, i) => Math.cos(i * 0.21 + seed) * 50);
  return { width: w, height: h, data, mask: new Uint8Array(w * h).fill(1) };
}

function candidate(id: string, source: NewCandidate['source'] = 'des'): NewCandidate {
  const seed = Number(id.replace(/\D/g, '')) || 1;
  return {
    id,
    source,
    origin: { search: `s${id}.fits`, template: null, difference: `d${id}.fits` },
    meta: { mjd: 60000 + seed, band: seed % 2 ? 'r' : 'g', ra: seed, dec: -seed },
    given: seed % 3 ? { label: 'bogus', scores: {} } : { scores: { rb: seed / 10 } },
    ...(seed % 4 === 0 ? { context: { facts: { ndethist: seed }, history: '60000.5,r,20.1' } } : {}),
    triplet: { search: image(9, 9, seed), template: null, difference: image(9, 7, seed + 1) },
  };
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'skysift-index-'));
const catalogFiles = (dir: string) => readdirSync(path.join(dir, 'catalog')).sort();

/** A night of three parts, the second repeating an id of the first (kept once, from the first part). */
async function night(): Promise<{ dir: string; ws: Workspace }> {
  const dir = tmp();
  const ws = await Workspace.open(dir, { create: true });
  await ws.appendPart(['c1', 'c2', 'c3'].map((id) => candidate(id)));
  await ws.appendPart([candidate('c4', 'manifest'), candidate('c5')]);
  await ws.appendPart([candidate('c6', 'avro'), candidate('c7'), candidate('c8', 'manifest')]);
  return { dir, ws };
}

async function snapshot(ws: Workspace) {
  const streamed: { id: string; first: number }[] = [];
  for await (const { entry, triplet } of ws.iterateTriplets())
    streamed.push({ id: entry.id, first: triplet.search.data[3] });
  return {
    list: ws.list().map((e) => structuredClone(e)),
    ids: [...ws.ids()],
    sources: ws.sourceCounts(),
    refs: ws.stampRefs(),
    streamed,
    size: ws.size,
    summary: ws.summary(null),
  };
}

afterEach(() => vi.restoreAllMocks());

describe('the compact catalog index', () => {
  it('round-trips: what a reopened night lists, gets and streams equals what was appended', async () => {
    const { dir, ws } = await night();
    const before = await snapshot(ws);
    expect(before.ids).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
    expect(before.sources).toEqual({ des: 5, manifest: 2, avro: 1 });
    // Every part has its index beside it.
    expect(catalogFiles(dir)).toEqual([
      'part-000001.idx',
      'part-000001.json',
      'part-000002.idx',
      'part-000002.json',
      'part-000003.idx',
      'part-000003.json',
    ]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const reopened = await Workspace.open(dir);
    expect(warn).not.toHaveBeenCalled();
    expect(await snapshot(reopened)).toEqual(before);
    expect(reopened.get('c4')).toEqual(before.list[3]);
    expect(reopened.get('c4')).toMatchObject({
      source: 'manifest',
      meta: { mjd: 60004 },
      context: { facts: { ndethist: 4 } },
    });
    expect(reopened.get('nope')).toBeUndefined();
    expect(reopened.stampRefs(['c7', 'nope', 'c2']).map((r) => r.id)).toEqual(['c7', 'c2']);
    expect([...reopened.entriesOfSource('avro')].map((e) => e.id)).toEqual(['c6']);
    expect((await reopened.readTriplet('c5')).difference.width).toBe(9);
  });

  it('keeps an id that two parts hold once, from the first part', async () => {
    const dir = tmp();
    // Two handles opened on the empty night, each appending without seeing the other's part.
    const first = await Workspace.open(dir, { create: true });
    const second = await Workspace.open(dir);
    await first.appendPart([candidate('a1'), candidate('a2')]);
    await second.appendPart([candidate('a2'), candidate('a3')]);
    const ws = await Workspace.open(dir);
    expect(ws.ids()).toEqual(['a1', 'a2', 'a3']);
    expect(ws.get('a2')?.stamp.part).toBe(1);
    expect(ws.get('a3')?.stamp.part).toBe(2);
    expect(ws.countInPart(2)).toBe(1);
    const streamed = [];
    for await (const { entry } of ws.iterateTriplets()) streamed.push(`${entry.id}@${entry.stamp.part}`);
    expect(streamed).toEqual(['a1@1', 'a2@1', 'a3@2']);
  });

  it('opens a night written before parts had indexes, with one log line, and indexes it once', async () => {
    const { dir, ws } = await night();
    const before = await snapshot(ws);
    for (const f of catalogFiles(dir)) if (f.endsWith('.idx')) rmSync(path.join(dir, 'catalog', f));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const old = await Workspace.open(dir);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/indexed 3 catalog part\(s\) that had no index yet/);
    expect(await snapshot(old)).toEqual(before);
    expect(catalogFiles(dir).filter((f) => f.endsWith('.idx'))).toHaveLength(3);
    warn.mockClear();
    expect(await snapshot(await Workspace.open(dir))).toEqual(before);
    expect(warn).not.toHaveBeenCalled();
  });

  it('ignores a damaged or stale index and rebuilds it from the part', async () => {
    const { dir, ws } = await night();
    const before = await snapshot(ws);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    writeFileSync(path.join(dir, 'catalog', 'part-000001.idx'), '{"format": 1, "ids": [');
    // Well-formed JSON, columns that do not agree: not used either.
    const idx3 = path.join(dir, 'catalog', 'part-000003.idx');
    const ix3 = JSON.parse(readFileSync(idx3, 'utf8'));
    writeFileSync(idx3, JSON.stringify({ ...ix3, ids: ix3.ids.slice(1) }));
    // A part rewritten since its index was made (another size and mtime): the index is not used.
    const part2 = path.join(dir, 'catalog', 'part-000002.json');
    const json = JSON.parse(readFileSync(part2, 'utf8'));
    json.entries[0].meta.band = 'i';
    writeFileSync(part2, JSON.stringify(json));
    const reopened = await Workspace.open(dir);
    expect(reopened.get('c4')?.meta.band).toBe('i');
    const { list, summary, ...rest } = await snapshot(reopened);
    const { list: list0, summary: summary0, ...rest0 } = before;
    expect(rest).toEqual(rest0);
    expect(summary).toEqual(summary0);
    expect(list.map((e) => e.id)).toEqual(list0.map((e) => e.id));
    expect(JSON.parse(readFileSync(path.join(dir, 'catalog', 'part-000001.idx'), 'utf8')).ids).toEqual([
      'c1',
      'c2',
      'c3',
    ]);
  });

  it('refuses a damaged part by name, and loses nothing else', async () => {
    const { dir } = await night();
    const part2 = path.join(dir, 'catalog', 'part-000002.json');
    const good = readFileSync(part2, 'utf8');
    writeFileSync(part2, good.slice(0, good.length - 20));
    await expect(Workspace.open(dir)).rejects.toThrow(/part-000002\.json: damaged catalog part/);
    // A part whose JSON is fine but whose entries are not: zod names what is wrong.
    const json = JSON.parse(good);
    json.entries[1].stamp.offset = 'x';
    writeFileSync(part2, JSON.stringify(json));
    await expect(Workspace.open(dir)).rejects.toThrow(/part-000002\.json: damaged catalog part \(.*offset/s);
    // Moved aside, the rest of the night opens whole.
    renameSync(part2, path.join(dir, 'part-000002.json.bad'));
    const rest = await Workspace.open(dir);
    expect(rest.ids()).toEqual(['c1', 'c2', 'c3', 'c6', 'c7', 'c8']);
    expect((await rest.readTriplet('c8')).search.width).toBe(9);
    expect(existsSync(path.join(dir, 'stamps', 'part-000002.bin'))).toBe(true);
  });

  it('names the part when it changes under an open night', async () => {
    const { dir } = await night();
    const ws = await Workspace.open(dir);
    const part3 = path.join(dir, 'catalog', 'part-000003.json');
    const json = JSON.parse(readFileSync(part3, 'utf8'));
    json.entries.reverse();
    writeFileSync(part3, JSON.stringify(json));
    expect(() => ws.get('c7')).toThrow(/part-000003\.json: changed since the night was opened/);
    writeFileSync(part3, '{"part": 3, "entr');
    expect(() => ws.list()).toThrow(/part-000003\.json: damaged catalog part/);
    // Content damaged without changing the size or mtime its index records (as far as stat can
    // tell): the index is used, and the damage is found when the part is read.
    const { dir: dir2 } = await night();
    const p = path.join(dir2, 'catalog', 'part-000001.json');
    writeFileSync(p, readFileSync(p, 'utf8').replace('"c2"', '"x2"'));
    const idx = path.join(dir2, 'catalog', 'part-000001.idx');
    const st = statSync(p);
    writeFileSync(
      idx,
      JSON.stringify({
        ...JSON.parse(readFileSync(idx, 'utf8')),
        jsonSize: st.size,
        jsonMtimeMs: st.mtimeMs,
      }),
    );
    const ws2 = await Workspace.open(dir2);
    expect(ws2.has('c2')).toBe(true);
    expect(() => ws2.get('c2')).toThrow(/part-000001\.json: changed since the night was opened/);
  });
});

describe('scores of a growing night', () => {
  const scoresDir = (dir: string) => path.join(dir, 'scores');

  it('adds a chunk’s scores as a journal line, seen by another process and after a reopen', async () => {
    const { dir, ws } = await night();
    const reader = await Workspace.open(dir);
    expect(reader.scores('v1')).toBeNull();
    await ws.writeScores('v1', new Map([['c1', 0.1]]));
    expect(reader.scores('v1')).toEqual(new Map([['c1', 0.1]]));
    await ws.addScores('v1', new Map([['c2', 0.2]]));
    await ws.addScores('v1', new Map([['c3', 0.3]]));
    expect(readdirSync(scoresDir(dir)).sort()).toEqual(['v1.add.jsonl', 'v1.json']);
    // The reader holds the file it read and reads the two new lines only.
    expect(reader.scores('v1')).toEqual(
      new Map([
        ['c1', 0.1],
        ['c2', 0.2],
        ['c3', 0.3],
      ]),
    );
    expect((await Workspace.open(dir)).scores('v1')?.get('c3')).toBe(0.3);
    expect(ws.scoredCount('v1')).toBe(3);
    // Rewritten whole: the journal goes, and the new file is all there is.
    await ws.writeScores('v1', new Map([['c8', 0.8]]));
    expect(readdirSync(scoresDir(dir))).toEqual(['v1.json']);
    expect(reader.scores('v1')).toEqual(new Map([['c8', 0.8]]));
    // A night this version never scored gets the whole file.
    await ws.addScores('v2', new Map([['c1', 0.5]]));
    expect(readdirSync(scoresDir(dir)).sort()).toEqual(['v1.json', 'v2.json']);
  });

  it('ignores lines for a file since rewritten and a line cut short by a crash', async () => {
    const { dir, ws } = await night();
    await ws.writeScores('v1', new Map([['c1', 0.1]]));
    await ws.addScores('v1', new Map([['c2', 0.2]]));
    const journal = path.join(scoresDir(dir), 'v1.add.jsonl');
    const stale = readFileSync(journal);
    await ws.writeScores('v1', new Map([['c1', 0.9]]));
    // A journal left from before the rewrite (a crash between the write and the delete).
    writeFileSync(journal, stale);
    expect((await Workspace.open(dir)).scores('v1')).toEqual(new Map([['c1', 0.9]]));
    // A line cut short: not read; the next line starts on a line of its own and is read.
    writeFileSync(journal, Buffer.concat([stale, Buffer.from('{"base":"x","scores":{"c4"')]));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ws2 = await Workspace.open(dir);
    expect(ws2.scores('v1')).toEqual(new Map([['c1', 0.9]]));
    await ws2.addScores('v1', new Map([['c5', 0.5]]));
    expect((await Workspace.open(dir)).scores('v1')).toEqual(
      new Map([
        ['c1', 0.9],
        ['c5', 0.5],
      ]),
    );
    expect(String(warn.mock.calls.at(-1)?.[0])).toMatch(/v1\.add\.jsonl: skipped a damaged line/);
  });

  it('rewrites the file whole once the journal outgrows it', async () => {
    const { dir, ws } = await night();
    await ws.writeScores('v1', new Map([['c1', 0.1]]));
    const many = new Map(Array.from({ length: 80_000 }, (_, i) => [`x${i}`, i / 80_000] as [string, number]));
    await ws.addScores('v1', many);
    expect(readdirSync(scoresDir(dir))).toEqual(['v1.json']);
    expect((await Workspace.open(dir)).scores('v1')?.size).toBe(80_001);
  });

  it('names a damaged scores file', async () => {
    const { dir, ws } = await night();
    await ws.writeScores('v1', new Map([['c1', 0.1]]));
    writeFileSync(path.join(scoresDir(dir), 'v1.json'), '{"model":"v1","scores":{"c1":"high"}}');
    expect(() => ws.scores('v1')).toThrow(/v1\.json: the score of c1 is not a number/);
    writeFileSync(path.join(scoresDir(dir), 'v1.json'), '{"model":"v1","sco');
    expect(() => ws.scores('v1')).toThrow(/v1\.json: damaged scores file/);
  });
});
