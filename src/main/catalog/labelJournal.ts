/**
 * The night's label journal: the system of record for the astronomer's labels. One JSON line per
 * event (a label given or taken back), appended and fsynced before the call that gave it returns,
 * so an acknowledged label survives a kill of the host, of the browser, or of the machine.
 * The current labels are the last event per candidate. Nothing is ever rewritten in place.
 *
 * A crash mid-append can leave a torn last line; it was never acknowledged (the fsync comes after
 * the write, the acknowledgement after the fsync), so it is cut off before the next append.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HumanLabelSchema, trainingClass, type HumanLabel } from '../../shared/labels';

export const JournalEventSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set'), label: HumanLabelSchema }),
  z.object({
    op: z.literal('remove'),
    candidateId: z.string().min(1),
    at: z.iso.datetime({ offset: true }),
  }),
]);
export type JournalEvent = z.infer<typeof JournalEventSchema>;

export interface JournalRead {
  labels: Map<string, HumanLabel>;
  /** Lines that could not be read (a torn last line, or a line damaged by hand): reported, skipped. */
  damaged: { line: number; reason: string }[];
}

export class LabelJournal {
  readonly file: string;
  private cache: { size: number; read: JournalRead } | null = null;
  /** Appends run one after another: a batch's lines are never interleaved with another's. */
  private tail: Promise<void> = Promise.resolve();

  constructor(workspaceDir: string) {
    this.file = path.join(workspaceDir, 'labels', 'journal.jsonl');
  }

  /** Append events and fsync; resolves only once they are durable. */
  append(events: readonly JournalEvent[]): Promise<void> {
    const run = this.tail.then(() => this.appendNow(events));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private appendNow(events: readonly JournalEvent[]): void {
    if (events.length === 0) return;
    const lines = events.map((e) => JSON.stringify(JournalEventSchema.parse(e))).join('\n') + '\n';
    mkdirSync(path.dirname(this.file), { recursive: true });
    this.cutTornTail();
    const fd = openSync(this.file, 'a');
    try {
      writeSync(fd, lines);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** A last line without its newline is an append cut short: drop it so the next line starts clean. */
  private cutTornTail(): void {
    if (!existsSync(this.file)) return;
    const buf = readFileSync(this.file);
    if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return;
    const lastNewline = buf.lastIndexOf(0x0a);
    truncateSync(this.file, lastNewline + 1);
    this.cache = null;
  }

  /** The current labels: the last event per candidate. Re-reads only when the file grew. */
  read(): JournalRead {
    if (!existsSync(this.file)) return { labels: new Map(), damaged: [] };
    const buf = readFileSync(this.file);
    if (this.cache && this.cache.size === buf.length) return this.cache.read;
    const labels = new Map<string, HumanLabel>();
    const damaged: JournalRead['damaged'] = [];
    const text = buf.toString('utf8');
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let parsed: JournalEvent;
      try {
        const r = JournalEventSchema.safeParse(JSON.parse(line));
        if (!r.success) throw new Error(z.prettifyError(r.error).split('\n')[0]);
        parsed = r.data;
      } catch (e) {
        const torn = i === lines.length - 1 && !text.endsWith('\n');
        damaged.push({
          line: i + 1,
          reason: torn
            ? `${this.file}:${i + 1}: an append cut short by a crash (never acknowledged): ignored`
            : `${this.file}:${i + 1}: not a label event (${(e as Error).message}): ignored`,
        });
        return;
      }
      if (parsed.op === 'set') labels.set(parsed.label.candidateId, parsed.label);
      else labels.delete(parsed.candidateId);
    });
    const read = { labels, damaged };
    this.cache = { size: buf.length, read };
    return read;
  }

  labels(): HumanLabel[] {
    return [...this.read().labels.values()];
  }
}

/** Counts by the class each label stands for (a sub-class implies its class), for status and tally. */
export function countLabels(labels: Iterable<HumanLabel>): { real: number; bogus: number; skip: number } {
  const counts = { real: 0, bogus: 0, skip: 0 };
  for (const l of labels) counts[trainingClass(l) ?? 'skip']++;
  return counts;
}
