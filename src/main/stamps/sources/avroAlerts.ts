/**
 * A folder of Avro alert packets (ZTF, PGIR, WINTER, ATLAS, Rubin). One unit per file: a packet
 * file may hold several alerts; a corrupt file yields what could be read plus a clear error.
 */
import { promises as fs } from 'node:fs';
import type { NewCandidate } from '../../catalog/workspace';
import { packContext } from '../../../shared/context';
import { readAlertFile } from '../avro';
import { readStamp } from '../fits';
import { errorMessage, type IngestUnit, type UnitError } from './types';

/** Largest Avro file read (a packet is ~100 kB; a night's bundle of thousands is still far below). */
export const MAX_ALERT_FILE_BYTES = 512 * 1024 * 1024;

export function avroUnits(files: string[]): IngestUnit[] {
  return files.map((file) => ({
    source: 'avro' as const,
    key: `avro:${file}`,
    async decode() {
      const errors: UnitError[] = [];
      const candidates: NewCandidate[] = [];
      let bytes: Buffer;
      try {
        // A packet holds a few alerts (~100 kB each): refuse a huge file before reading it whole.
        const { size } = await fs.stat(file);
        if (size > MAX_ALERT_FILE_BYTES) {
          const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
          throw new Error(
            `${file}: ${mib(size)}, more than an alert packet can be (${mib(MAX_ALERT_FILE_BYTES)} cap); split it into smaller files`,
          );
        }
        bytes = await fs.readFile(file);
      } catch (e) {
        return { candidates, errors: [{ file, reason: errorMessage(e) }] };
      }
      const { records, error } = readAlertFile(bytes, file);
      if (error) errors.push({ file, reason: error.message });
      for (const rec of records) {
        const where = `${file}#${rec.candid}`;
        if (rec.contextProblem)
          errors.push({
            file: where,
            reason: `history not read (${rec.contextProblem}); the candidate is kept without it`,
          });
        try {
          if (!rec.cutouts.science || !rec.cutouts.difference) {
            throw new Error('alert has no science or difference cutout');
          }
          const read = (b: Uint8Array, which: string) => readStamp(b, `${where} (${which} cutout)`).image;
          candidates.push({
            id: rec.candid,
            source: 'avro',
            origin: {
              search: `${where}:science`,
              template: rec.cutouts.template ? `${where}:template` : null,
              difference: `${where}:difference`,
            },
            meta: rec.meta,
            given: { scores: rec.scores },
            // Kept only where the packet knew something: most of a 100k night is ZTF, but not all.
            ...(rec.context.history.length || Object.keys(rec.context.facts).length
              ? { context: packContext(rec.context) }
              : {}),
            triplet: {
              search: read(rec.cutouts.science, 'science'),
              template: rec.cutouts.template ? read(rec.cutouts.template, 'template') : null,
              difference: read(rec.cutouts.difference, 'difference'),
            },
          });
        } catch (e) {
          errors.push({ file: where, reason: errorMessage(e) });
        }
      }
      return { candidates, errors };
    },
  }));
}
