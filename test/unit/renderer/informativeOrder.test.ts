import { describe, expect, it } from 'vitest';
import {
  INFORMATIVE_BINS,
  informativeOrder,
  orderRows,
} from '../../../src/renderer/src/desk/queue/queueModel';
import { row } from './rows';

// 200 scored candidates, most of them confident (near 0 or 1) as a real night's are, and 3 unscored.
const scores = Array.from({ length: 200 }, (_, i) => {
  const u = ((i * 7919) % 200) / 200;
  return u < 0.45 ? u * 0.1 : u > 0.55 ? 0.95 + (u - 0.55) * 0.1 : u;
});
const rows = [...scores.map((s, i) => row(`c${i}`, s)), row('u1', null), row('u0', null), row('u2', null)];

describe("'most informative first' queue order", () => {
  const order = orderRows(rows, 'informative', 0.3);

  it('is a permutation: every candidate exactly once, unscored last by id', () => {
    expect(order).toHaveLength(rows.length);
    expect(new Set(order.map((r) => r.id)).size).toBe(rows.length);
    expect(order.slice(-3).map((r) => r.id)).toEqual(['u0', 'u1', 'u2']);
  });

  it('starts with the candidate nearest the threshold, and every other one is the next nearest', () => {
    const byDist = rows
      .filter((r) => r.score !== null)
      .sort((a, b) => Math.abs(a.score! - 0.3) - Math.abs(b.score! - 0.3));
    expect(order[0].id).toBe(byDist[0].id);
    const evens = order.filter((_, i) => i % 2 === 0 && i < 20).map((r) => Math.abs(r.score! - 0.3));
    expect([...evens].sort((a, b) => a - b)).toEqual(evens);
  });

  it('spreads the first labels over the score range, unlike the plain uncertainty order', () => {
    const binsOf = (rs: typeof rows) =>
      new Set(
        rs
          .slice(0, 2 * INFORMATIVE_BINS)
          .map((r) => Math.min(INFORMATIVE_BINS - 1, Math.floor(r.score! * INFORMATIVE_BINS))),
      );
    const occupied = new Set(
      scores.map((s) => Math.min(INFORMATIVE_BINS - 1, Math.floor(s * INFORMATIVE_BINS))),
    );
    expect(binsOf(order).size).toBe(occupied.size);
    expect(binsOf(orderRows(rows, 'uncertainty', 0.3)).size).toBeLessThan(occupied.size);
    // Both ends of the range come early: confident mistakes are found there.
    const first = order.slice(0, 2 * INFORMATIVE_BINS).map((r) => r.score!);
    expect(Math.min(...first)).toBeLessThan(0.05);
    expect(Math.max(...first)).toBeGreaterThan(0.95);
  });

  it('is deterministic and depends only on scores and the threshold', () => {
    expect(informativeOrder([...rows].reverse(), 0.3).map((r) => r.id)).toEqual(order.map((r) => r.id));
  });
});
