import { describe, expect, it } from 'vitest';
import { AlertFileError, readAlertFile } from '../../../../src/main/stamps/avro';
import { MINI_ZTF_SCHEMA, SYNC, makeContainer, miniZtfAlert } from './containerFixture';

const FILE = 'synthetic.avro';
const alerts = (n: number) => Array.from({ length: n }, (_, i) => miniZtfAlert(i));

describe('container parsing (synthetic files)', () => {
  for (const codec of ['null', 'deflate', 'snappy']) {
    it(`reads codec ${codec} over several blocks and counts every record`, () => {
      const bytes = makeContainer(MINI_ZTF_SCHEMA, alerts(7), { codec, perBlock: 3 });
      const { records, error } = readAlertFile(bytes, FILE);
      expect(error).toBeNull();
      expect(records.map((r) => r.candid)).toEqual(alerts(7).map((a) => a.candid));
    });
  }

  it('maps a ZTF-shaped record, keeping ids above 2^53 exact', () => {
    const [r] = readAlertFile(makeContainer(MINI_ZTF_SCHEMA, alerts(1)), FILE).records;
    expect(r.candid).toBe('9007199254740993');
    expect(r.survey).toBe('ztf');
    expect(r.meta).toMatchObject({
      mjd: 59400,
      band: 'g',
      ra: 10,
      dec: -5,
      isdiffpos: true,
      survey: 'ztf',
      objectId: 'ZTF21test0',
    });
    expect(r.scores).toEqual({ rb: 0.5, drb: 0.25 });
    expect(r.cutoutNames).toEqual({
      science: 'sci.fits.gz',
      template: 'ref.fits.gz',
      difference: 'diff.fits.gz',
    });
    expect(Array.from(r.cutouts.science!.subarray(0, 2))).toEqual([0x1f, 0x8b]);
  });

  it('an empty container (header, no blocks) is zero records and no error', () => {
    const { records, error } = readAlertFile(makeContainer(MINI_ZTF_SCHEMA, []), FILE);
    expect(records).toEqual([]);
    expect(error).toBeNull();
  });

  it('verifies the snappy CRC32', () => {
    const bytes = makeContainer(MINI_ZTF_SCHEMA, alerts(2), { codec: 'snappy' });
    // The CRC is the 4 bytes just before the final sync marker.
    bytes[bytes.length - 17] ^= 0xff;
    const { records, error } = readAlertFile(bytes, FILE);
    expect(records).toEqual([]);
    expect(error).toBeInstanceOf(AlertFileError);
    expect(error!.message).toMatch(
      /^synthetic\.avro: cannot decompress the block \(snappy\): snappy CRC32 mismatch .*\(at block 0, byte \d+\)$/,
    );
  });

  it('a wrong codec name is refused by name', () => {
    const bytes = makeContainer(MINI_ZTF_SCHEMA, alerts(1), { codec: 'zstandard' });
    const { error } = readAlertFile(bytes, FILE);
    expect(error?.message).toBe(
      `${FILE}: unsupported Avro codec 'zstandard' (this reader supports null, deflate and snappy)`,
    );
    const garbled = makeContainer(MINI_ZTF_SCHEMA, alerts(1), { codec: 'snapy' });
    expect(readAlertFile(garbled, FILE).error?.message).toContain("unsupported Avro codec 'snapy'");
  });

  it('a flipped sync marker after block 1 returns block 0 as partial results plus the error', () => {
    const bytes = makeContainer(MINI_ZTF_SCHEMA, alerts(4), { perBlock: 2 });
    const secondSync = bytes.lastIndexOf(SYNC);
    bytes[secondSync + 5] ^= 0x01;
    const { records, error } = readAlertFile(bytes, FILE);
    expect(records).toHaveLength(2);
    expect(error?.block).toBe(1);
    expect(error?.message).toMatch(/sync marker mismatch after the block .*\(at block 1, byte \d+\)$/);
  });

  it('a block count that disagrees with the records in it is an error', () => {
    const more = makeContainer(MINI_ZTF_SCHEMA, alerts(3), { countOverride: { 0: 2 } });
    expect(readAlertFile(more, FILE).error?.message).toMatch(
      /declares 2 record\(s\) but \d+ byte\(s\) remain after decoding them/,
    );
    const fewer = makeContainer(MINI_ZTF_SCHEMA, alerts(3), { countOverride: { 0: 4 } });
    const r = readAlertFile(fewer, FILE);
    expect(r.records).toEqual([]);
    expect(r.error?.message).toMatch(
      /declares 4 records but its data ends inside record 4 of them \(at block 0, record 3\)/,
    );
    const absurd = makeContainer(MINI_ZTF_SCHEMA, alerts(1), { countOverride: { 0: 1e12 } });
    expect(readAlertFile(absurd, FILE).error?.message).toMatch(
      /declares 1000000000000 records but holds only \d+ bytes/,
    );
  });

  it('an unresolvable schema is an error naming the problem', () => {
    const bytes = makeContainer(MINI_ZTF_SCHEMA, alerts(1), {
      schemaJson: '{"type":"record","name":"x","fields":[{"name":"a","type":"nosuch.Type"}]}',
    });
    expect(readAlertFile(bytes, FILE).error?.message).toMatch(
      /^synthetic\.avro: the embedded schema cannot be resolved \(.*nosuch\.Type/,
    );
    const notJson = makeContainer(MINI_ZTF_SCHEMA, alerts(1), { schemaJson: '{"type": "rec' });
    expect(readAlertFile(notJson, FILE).error?.message).toMatch(/the embedded schema is not valid JSON/);
  });

  it('empty file, random bytes and a bare magic are AlertFileErrors, never a throw', () => {
    expect(readAlertFile(new Uint8Array(0), FILE).error?.message).toBe(
      `${FILE}: empty file (0 bytes), not an Avro alert packet`,
    );
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 256;
    for (let n = 1; n < 2000; n += 97) {
      const junk = Uint8Array.from({ length: n }, rand);
      const { records, error } = readAlertFile(junk, FILE);
      expect(records).toEqual([]);
      expect(error).toBeInstanceOf(AlertFileError);
      expect(error!.message).toMatch(/not an Avro object container file/);
    }
    // Magic followed by junk: fails in the header.
    const junkAfterMagic = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      Buffer.from(Array.from({ length: 300 }, rand)),
    ]);
    expect(readAlertFile(junkAfterMagic, FILE).error).toBeInstanceOf(AlertFileError);
    expect(readAlertFile(Buffer.from('Obj\x01', 'latin1'), FILE).error?.message).toMatch(
      /file truncated inside the header \(.*\) \(at byte 4\)/,
    );
  });

  it('truncation at every byte of a small multi-block file gives partial records or an error, never a throw', () => {
    const bytes = makeContainer(MINI_ZTF_SCHEMA, alerts(3), { perBlock: 1, codec: 'deflate' });
    for (let cut = 0; cut < bytes.length; cut++) {
      const { records, error } = readAlertFile(bytes.subarray(0, cut), FILE);
      // A cut exactly at a block boundary is a valid shorter file.
      if (error === null) expect(records.length).toBeLessThan(3);
      else expect(error).toBeInstanceOf(AlertFileError);
      expect(records.length).toBeLessThanOrEqual(3);
    }
  });
});
