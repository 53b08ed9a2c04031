import { describe, expect, it } from 'vitest';
import { reconcileLabels } from '../../../src/renderer/src/desk/labels/reconcile';
import type { LabelRecord, OutboxEntry } from '../../../src/renderer/src/desk/labels/labelStore';
import type { HumanLabel } from '../../../src/shared/labels';

const WS = '/nights/n1';
const T = Date.parse('2026-11-20T22:00:00.000Z');

const local = (
  id: string,
  label: LabelRecord['label'],
  at: number,
  subclass: string | null = null,
): LabelRecord => ({
  workspace: WS,
  candidateId: id,
  label,
  subclass,
  model: 'm1',
  score: 0.5,
  secondsSpent: 1.5,
  at,
});
const main = (
  id: string,
  label: HumanLabel['label'],
  at: number,
  subclass: string | null = null,
): HumanLabel => ({
  candidateId: id,
  workspace: WS,
  label,
  subclass,
  modelVersion: 'm1',
  score: 0.5,
  secondsSpent: 2,
  labelledAt: new Date(at).toISOString(),
  by: 'astronomer',
});
const pend = (id: string, removedAt: number | null = null): OutboxEntry => ({
  workspace: WS,
  candidateId: id,
  removedAt,
  seq: `s-${id}`,
});
const byId = (rs: LabelRecord[]) =>
  Object.fromEntries(rs.map((r) => [r.candidateId, `${r.label}${r.subclass ? `/${r.subclass}` : ''}`]));

describe('reconcile of Dexie with main journal', () => {
  it('takes labels main has and Dexie lacks (a fresh profile, another port)', () => {
    const r = reconcileLabels({
      workspace: WS,
      local: [],
      pending: [],
      main: [main('a', 'real', T), main('b', 'bogus', T, 'cosmic-ray')],
    });
    expect(byId(r.fromMain)).toEqual({ a: 'real', b: 'bogus/cosmic-ray' });
    expect(r.fromMain[0]).toMatchObject({ workspace: WS, at: T, secondsSpent: 2, by: 'astronomer' });
    expect(r.resend).toEqual([]);
    expect(byId(r.labels)).toEqual({ a: 'real', b: 'bogus/cosmic-ray' });
  });

  it('sends Dexie labels main lacks, acknowledged before or not, and never drops them', () => {
    const r = reconcileLabels({
      workspace: WS,
      local: [local('a', 'real', T), local('b', 'skip', T)],
      pending: [pend('a')],
      main: [],
    });
    // a is already in the outbox; b was acknowledged once but main lost it: due again.
    expect(r.resend).toEqual(['b']);
    expect(r.fromMain).toEqual([]);
    expect(byId(r.labels)).toEqual({ a: 'real', b: 'skip' });
  });

  it('when both hold a label and they differ, the later one wins on both sides', () => {
    const r = reconcileLabels({
      workspace: WS,
      local: [
        local('newer-here', 'real', T + 5000),
        local('newer-there', 'real', T),
        local('tie', 'real', T),
      ],
      pending: [pend('newer-there')],
      main: [main('newer-here', 'bogus', T), main('newer-there', 'bogus', T + 5000), main('tie', 'bogus', T)],
    });
    expect(r.resend).toEqual(['newer-here']);
    // Main's later label replaces Dexie's, even an unacknowledged one that is older; a tie goes to main.
    expect(byId(r.fromMain)).toEqual({ 'newer-there': 'bogus', tie: 'bogus' });
    expect(byId(r.labels)).toEqual({ 'newer-here': 'real', 'newer-there': 'bogus', tie: 'bogus' });
  });

  it('clears an outbox entry whose word main already holds, and leaves agreeing labels alone', () => {
    const r = reconcileLabels({
      workspace: WS,
      local: [local('a', 'real', T, 'sn'), local('b', 'bogus', T)],
      pending: [pend('a')],
      main: [main('a', 'real', T, 'sn'), main('b', 'bogus', T)],
    });
    expect(r.settled).toEqual(['a']);
    expect(r.fromMain).toEqual([]);
    expect(r.resend).toEqual([]);
  });

  it('keeps a removal made here after main label, and yields to a label main got after it', () => {
    const r = reconcileLabels({
      workspace: WS,
      local: [],
      pending: [pend('undone', T + 1000), pend('relabelled-elsewhere', T)],
      main: [main('undone', 'real', T), main('relabelled-elsewhere', 'bogus', T + 1000)],
    });
    expect(byId(r.fromMain)).toEqual({ 'relabelled-elsewhere': 'bogus' });
    expect(byId(r.labels)).toEqual({ 'relabelled-elsewhere': 'bogus' });
  });

  it('leaves alone candidates acknowledged after main list was read (that list may predate them)', () => {
    const r = reconcileLabels({
      workspace: WS,
      local: [local('a', 'real', T + 9000)],
      pending: [],
      main: [main('a', 'bogus', T), main('b', 'real', T)],
      settledSince: new Set(['a', 'b']),
    });
    expect(r.fromMain).toEqual([]);
    expect(r.resend).toEqual([]);
    expect(byId(r.labels)).toEqual({ a: 'real' });
  });
});
