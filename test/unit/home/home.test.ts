import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Home } from '../../../src/main/home/home';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'skysift-home-'));
function night(): string {
  const dir = tmp();
  writeFileSync(path.join(dir, 'workspace.json'), '{}');
  return dir;
}

describe('the home', () => {
  it('remembers the nights in order, the last one opened, and survives reopening', () => {
    const root = tmp();
    const [a, b] = [night(), night()];
    const home = Home.open(root);
    home.opened(a);
    home.opened(b);
    home.opened(a);
    const again = Home.open(root);
    expect(again.nights().map((n) => n.dir)).toEqual([a, b]);
    expect(again.lastNight()).toBe(a);
  });

  it('gives the active model per stamp size: a fixed-size model for its size, a general one replaces them all', () => {
    const home = Home.open(tmp());
    home.ensureActive('default-v1');
    home.ensureActive('other');
    expect(home.activeFor('51x51')).toBe('default-v1');
    home.setActive('braai-d6_m7', '63x63');
    expect(home.activeFor('63x63')).toBe('braai-d6_m7');
    expect(home.activeFor('51x51')).toBe('default-v1');
    home.setActive('compact-trained');
    expect(home.activeFor('63x63')).toBe('compact-trained');
    expect(home.activeFor(null)).toBe('compact-trained');
  });

  it('sees what another process wrote before it writes (the CLI beside the app)', () => {
    const root = tmp();
    const app = Home.open(root);
    const cli = Home.open(root);
    cli.setActive('from-cli');
    app.opened(night());
    expect(Home.open(root).state.activeModel).toBe('from-cli');
  });

  it('carries over the last workspace of a home made before home.json', () => {
    const root = tmp();
    const dir = night();
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'last-workspace.json'), JSON.stringify({ dir }));
    expect(Home.open(root).lastNight()).toBe(dir);
  });

  it('refuses a damaged home.json with the file and what to do, and does not overwrite it', () => {
    const root = tmp();
    writeFileSync(path.join(root, 'home.json'), '{"format": 1, "nights": ');
    expect(() => Home.open(root)).toThrow(/home\.json: not readable as JSON.*move it aside/);
    writeFileSync(path.join(root, 'home.json'), '{"format": 2}');
    expect(() => Home.open(root)).toThrow(/home\.json: not a Skysift home file/);
  });
});
