/**
 * `skysift pretrain --cold-start`'s label-pool options: the default stays the held-out-only curve,
 * and every misuse of --label-pool / --cv is refused with a message naming the option.
 */
import { describe, expect, it } from 'vitest';
import { coldStartMode } from '../../../src/cli/lab/pretrain';

describe('pretrain --cold-start --label-pool / --cv', () => {
  it('defaults to the held-out pool; both-folds defaults to 5 parts', () => {
    expect(coldStartMode({ 'cold-start': true })).toEqual({ pool: 'held-out' });
    expect(coldStartMode({ 'cold-start': true, 'label-pool': 'held-out', 'min-judged': '20' })).toEqual({
      pool: 'held-out',
    });
    expect(coldStartMode({ 'cold-start': true, 'label-pool': 'both-folds' })).toEqual({
      pool: 'both-folds',
      parts: 5,
    });
    expect(coldStartMode({ 'cold-start': true, 'label-pool': 'both-folds', cv: '3' })).toEqual({
      pool: 'both-folds',
      parts: 3,
    });
  });

  it('refuses bad values and options that do not apply, naming them', () => {
    const bad: [Parameters<typeof coldStartMode>[0], RegExp][] = [
      [
        { 'cold-start': true, 'label-pool': 'both' },
        /--label-pool must be held-out .* or both-folds .*got both/,
      ],
      [{ 'cold-start': true, 'label-pool': 'both-folds', cv: '1' }, /--cv must be an integer >= 2.*got 1/],
      [
        { 'cold-start': true, 'label-pool': 'both-folds', cv: '2.5' },
        /--cv must be an integer >= 2.*got 2.5/,
      ],
      [
        { 'cold-start': true, 'label-pool': 'both-folds', cv: 'five' },
        /--cv must be an integer >= 2.*got five/,
      ],
      [{ 'cold-start': true, cv: '5' }, /--cv applies to --label-pool both-folds only/],
      [
        { 'cold-start': true, 'label-pool': 'both-folds', 'min-judged': '20' },
        /--min-judged applies to --label-pool held-out only/,
      ],
      [{ 'label-pool': 'both-folds' }, /--label-pool and --cv apply to --cold-start only/],
      [{ cv: '5' }, /--label-pool and --cv apply to --cold-start only/],
    ];
    for (const [values, message] of bad) expect(() => coldStartMode(values)).toThrow(message);
  });
});
