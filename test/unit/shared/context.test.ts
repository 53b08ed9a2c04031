import { describe, expect, it } from 'vitest';
import { packHistory, unpackHistory, type HistoryPoint } from '../../../src/shared/context';

describe('packed history', () => {
  const points: HistoryPoint[] = [
    { t: 59382.435324, b: 'g', lim: 20.3547 },
    { t: 59396.404688, b: 'r', m: 15.6623, me: 0.0341, id: '1642404680815015001' },
    { t: 61000, b: 'r', f: -50.5, fe: 90, fo: true },
    { t: 61001, b: 'Hs', m: 23.9, me: 0.1086, f: 1000, fe: 100, neg: true, id: 'a,b;c%' },
  ];

  it('round-trips every field, absent ones staying absent', () => {
    const packed = packHistory(points);
    expect(packed.split(';')[0]).toBe('59382.435324,g,,,,,20.3547');
    expect(unpackHistory(packed)).toEqual(points);
    expect(unpackHistory(packHistory([]))).toEqual([]);
  });

  it('a damaged point is an error naming it, not a guess', () => {
    expect(() => unpackHistory('59382.4,g;x,r')).toThrow('history point 2: t "x" is not a number');
    expect(() => unpackHistory('59382.4')).toThrow(/history point 1 \("59382\.4"\) has 1 fields/);
    expect(() => unpackHistory('1,g,,,,,,z')).toThrow('history point 1: unknown flags "z"');
    expect(() => unpackHistory('1,,2')).toThrow('history point 1 has no time or band');
  });
});
