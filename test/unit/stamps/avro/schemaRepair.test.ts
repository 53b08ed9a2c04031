import { describe, expect, it } from 'vitest';
import { readAlertFile, repairSchema } from '../../../../src/main/stamps/avro';
import { makeContainer } from './containerFixture';

const rec = (fields: object[], name = 'r') => ({ type: 'record', name, fields });

describe('lenient schema repairs (each a named case)', () => {
  it('union-default-mismatch: a null default on ["float","null"] (PGIR, ZTF 3.x) is dropped', () => {
    const { schema, repairs } = repairSchema(
      rec([{ name: 'diffmaglim', type: ['float', 'null'], default: null }]),
    );
    expect(repairs).toEqual([
      { kind: 'union-default-mismatch', where: 'r.diffmaglim', detail: 'default null dropped' },
    ]);
    expect((schema as { fields: object[] }).fields[0]).toEqual({
      name: 'diffmaglim',
      type: ['float', 'null'],
    });
  });

  it('a default matching the first branch is left alone', () => {
    expect(repairSchema(rec([{ name: 'a', type: ['null', 'float'], default: null }])).repairs).toEqual([]);
    expect(repairSchema(rec([{ name: 'b', type: 'boolean', default: false }])).repairs).toEqual([]);
  });

  it('invalid-default: a default of the wrong type on a plain field is dropped', () => {
    const { repairs } = repairSchema(rec([{ name: 'n', type: 'int', default: 'zero' }]));
    expect(repairs.map((r) => r.kind)).toEqual(['invalid-default']);
  });

  it('duplicate-field-name: later occurrences are renamed, the first keeps its name (WINTER sgmag1)', () => {
    const { schema, repairs } = repairSchema(
      rec([
        { name: 'sgmag1', type: 'float' },
        { name: 'sgmag1', type: 'float' },
        { name: 'x', type: 'int' },
      ]),
    );
    expect(repairs).toEqual([
      { kind: 'duplicate-field-name', where: 'r.sgmag1', detail: "occurrence 2 renamed 'sgmag1__dup2'" },
    ]);
    expect((schema as { fields: { name: string }[] }).fields.map((f) => f.name)).toEqual([
      'sgmag1',
      'sgmag1__dup2',
      'x',
    ]);
  });

  it('invalid-name: names, namespaces, fields, enum symbols and references are sanitized consistently', () => {
    const bad = {
      type: 'record',
      name: 'my-alert',
      namespace: 'survey.v1-2',
      fields: [
        { name: 'flux.err', type: 'float' },
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['ok', 'not-ok'] } },
        { name: 'inner', type: rec([{ name: 'v', type: 'int' }], '2nd') },
        { name: 'again', type: 'survey.v1-2.2nd' },
      ],
    };
    const { schema, repairs } = repairSchema(bad);
    expect(new Set(repairs.map((r) => r.kind))).toEqual(new Set(['invalid-name']));
    expect(repairs.map((r) => r.detail)).toEqual(
      expect.arrayContaining([
        "name 'my-alert' -> 'my_alert'",
        "field 'flux.err' -> 'flux_err'",
        "enum symbol 'not-ok' -> 'not_ok'",
        "type reference 'survey.v1-2.2nd' -> 'survey.v1_2._2nd'",
      ]),
    );
    // And the repaired schema decodes data written with the same layout.
    const good = JSON.parse(JSON.stringify(schema));
    const bytes = makeContainer(good, [{ flux_err: 1.5, kind: 'not_ok', inner: { v: 3 }, again: { v: 4 } }], {
      schemaJson: JSON.stringify(bad),
    });
    const res = readAlertFile(bytes, 'names.avro');
    expect(res.error).toBeNull();
    expect(res.records).toHaveLength(1);
    expect(res.repairs.length).toBe(repairs.length);
  });

  it('duplicate fields decode in schema order: both values are read, the first under the plain name', () => {
    const valid = rec(
      [
        { name: 'candid', type: 'long' },
        { name: 'rb', type: 'float' },
        { name: 'rb2', type: 'float' },
      ],
      'alert',
    );
    const dup = rec(
      [
        { name: 'candid', type: 'long' },
        { name: 'rb', type: 'float' },
        { name: 'rb', type: 'float' },
      ],
      'alert',
    );
    const bytes = makeContainer(valid, [{ candid: '18446744073709', rb: 0.25, rb2: 0.75 }], {
      schemaJson: JSON.stringify(dup),
    });
    const res = readAlertFile(bytes, 'dup.avro');
    expect(res.error).toBeNull();
    expect(res.repairs.map((r) => r.kind)).toEqual(['duplicate-field-name']);
    expect(res.records[0].candid).toBe('18446744073709');
  });

  it('long-as-decimal-string: ids above 2^53 and negative ids stay exact', () => {
    const s = rec([{ name: 'candid', type: 'long' }], 'alert');
    for (const id of [
      '9223372036854775807',
      '-9223372036854775808',
      '2481176043815015002',
      '-1726958725155000',
      '0',
    ]) {
      expect(readAlertFile(makeContainer(s, [{ candid: id }]), 'long.avro').records[0].candid).toBe(id);
    }
  });
});
