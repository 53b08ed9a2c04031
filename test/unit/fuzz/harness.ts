/**
 * Bookkeeping shared by the fuzz suites: every case is timed, and each outcome is counted as
 * accepted or rejected by a reason class (the error message with the file name, numbers and
 * quoted text taken out), so that `npm test` prints what the parsers were fed and how they answered.
 */
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../../../src/main/util/prng';

/** The seed of every fuzz run: a failure is reproducible from the test name alone. */
export const FUZZ_SEED = 20261125;
/** Cases per parser (the issue asks for at least 10,000). */
export const FUZZ_RUNS = 10_000;
/**
 * No single input may cost more CPU than this (a generous bound: it catches hangs and runaway
 * decompression, not slowness). CPU time of this process, not wall time, so that a loaded machine
 * (other test files, other jobs) cannot fail a case that did no more work.
 */
export const MAX_CPU_MS_PER_CASE = 4000;

/** User + system CPU milliseconds of this process since `from` (a process.cpuUsage() reading). */
function cpuMsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

/** A message reduced to its kind: no file name, no numbers, no quoted values, no detail in (...). */
export function reasonClass(message: string, file: string): string {
  let m = file ? message.split(file).join('<file>') : message;
  m = m.replace(/^<file>[:,]?\s*/, '');
  m = m.replace(/"[^"]*"|'[^']*'/g, '<q>');
  m = m.replace(/\([^()]*\)/g, '');
  m = m.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N');
  m = m.split(';')[0].replace(/\s+/g, ' ').trim();
  return m.length > 90 ? `${m.slice(0, 87)}...` : m;
}

export class Tally {
  cases = 0;
  accepted = 0;
  maxMs = 0;
  totalMs = 0;
  private readonly t0 = performance.now();
  readonly reasons = new Map<string, number>();
  /** Extra lines for the report (not outcomes). */
  readonly notes: string[] = [];
  /** Inputs of the slowest case, for the report (kind of mutation). */
  slowest = '';

  constructor(readonly name: string) {}

  /**
   * Runs one case. `fn` returns normally (accepted) or throws; `isOurs` decides whether the throw is
   * the parser's own error class. Anything else is rethrown: fast-check then shrinks and reports it.
   */
  run(kind: string, file: string, fn: () => void, isOurs: (e: unknown) => boolean): void {
    const t = performance.now();
    const cpu = process.cpuUsage();
    let outcome: unknown = null;
    try {
      fn();
    } catch (e) {
      outcome = e;
    }
    const ms = performance.now() - t;
    const cpuMs = cpuMsSince(cpu);
    this.cases++;
    this.totalMs += ms;
    if (ms > this.maxMs) {
      this.maxMs = ms;
      this.slowest = kind;
    }
    if (cpuMs > MAX_CPU_MS_PER_CASE)
      throw new Error(`${this.name}: one ${kind} input took ${cpuMs.toFixed(0)} ms of CPU`);
    if (outcome === null) {
      this.accepted++;
      return;
    }
    if (!isOurs(outcome)) throw outcome;
    const message = (outcome as Error).message;
    if (!message.includes(file)) throw new Error(`${this.name}: error does not name the file: ${message}`);
    this.reject(reasonClass(message, file));
  }

  /** As run, for an async parser: the time counted is the time to settle. */
  async runAsync(kind: string, file: string, fn: () => Promise<void>, isOurs: (e: unknown) => boolean) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    let outcome: unknown = null;
    try {
      await fn();
    } catch (e) {
      outcome = e;
    }
    const ms = performance.now() - t;
    const cpuMs = cpuMsSince(cpu);
    this.run(
      kind,
      file,
      () => {
        if (outcome !== null) throw outcome;
      },
      isOurs,
    );
    // run() timed only the rethrow: count the real time instead.
    this.totalMs += ms;
    if (ms > this.maxMs) {
      this.maxMs = ms;
      this.slowest = kind;
    }
    if (cpuMs > MAX_CPU_MS_PER_CASE)
      throw new Error(`${this.name}: one ${kind} input took ${cpuMs.toFixed(0)} ms of CPU`);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  reject(reason: string): void {
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  get rejected(): number {
    let n = 0;
    for (const v of this.reasons.values()) n += v;
    return n;
  }

  report(top = 12): string {
    const wall = (performance.now() - this.t0) / 1000;
    const lines = [
      `[fuzz] ${this.name}: ${this.cases} cases in ${wall.toFixed(1)} s (parser time ${(this.totalMs / 1000).toFixed(1)} s), ` +
        `accepted ${this.accepted}, rejected ${this.rejected} with a clear error, crashes 0, ` +
        `max ${this.maxMs.toFixed(1)} ms per case (${this.slowest}), mean ${(this.totalMs / Math.max(1, this.cases)).toFixed(2)} ms`,
    ];
    for (const n of this.notes) lines.push(`    ${n}`);
    const sorted = [...this.reasons.entries()].sort((a, b) => b[1] - a[1]);
    for (const [r, n] of sorted.slice(0, top)) lines.push(`    ${String(n).padStart(6)}  ${r}`);
    if (sorted.length > top) {
      const rest = sorted.slice(top).reduce((s, [, n]) => s + n, 0);
      lines.push(`    ${String(rest).padStart(6)}  (${sorted.length - top} other reason classes)`);
    }
    return lines.join('\n');
  }
}

/** Deterministic uniform [0, 1), for mutations derived from a fast-check integer: the one PRNG. */
export function rng(seed: number): () => number {
  return seededRandom(seed);
}

/** Flip `n` random bits of a copy (positions drawn from `rand`, optionally only within `[from, to)`). */
export function flipBits(bytes: Uint8Array, n: number, rand: () => number, from = 0, to = bytes.length) {
  const out = Uint8Array.from(bytes);
  const span = Math.max(1, to - from);
  for (let i = 0; i < n; i++) {
    const p = from + Math.floor(rand() * span);
    if (p < out.length) out[p] ^= 1 << Math.floor(rand() * 8);
  }
  return out;
}

/** Overwrite random bytes with one of the values that trip length and count fields. */
export function smashBytes(bytes: Uint8Array, n: number, rand: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const nasty = [0x00, 0xff, 0x7f, 0x80, 0x81, 0xfe, 0x01];
  for (let i = 0; i < n; i++) {
    const p = Math.floor(rand() * out.length);
    out[p] = nasty[Math.floor(rand() * nasty.length)];
  }
  return out;
}

export function splice(a: Uint8Array, b: Uint8Array, rand: () => number): Uint8Array {
  const cutA = Math.floor(rand() * (a.length + 1));
  const cutB = Math.floor(rand() * (b.length + 1));
  return Uint8Array.from(Buffer.concat([a.subarray(0, cutA), b.subarray(cutB)]));
}
