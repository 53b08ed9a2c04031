import type { SourceKind } from '../../../shared/candidate';
import type { NewCandidate } from '../../catalog/workspace';
import {
  FileReader,
  readTripletSync,
  type DecodedTriplet,
  type PackedTriplet,
  type TripletFiles,
} from './readImageFile';

/** One thing to ingest: a DES triplet, a manifest row, or an Avro packet file. */
export interface IngestUnit {
  source: SourceKind;
  /** Stable key: resume skips units already in the catalog. */
  key: string;
  /** Candidate ids this unit will produce when known before decoding (DES, manifest). */
  ids?: string[];
  /**
   * Units that are one triplet of files: plain data a decoder thread can read and decode, and how
   * to turn its result (or its error) into this unit's result on the ingesting side.
   */
  triplet?: TripletTask;
  decode(): Promise<UnitResult>;
}

export interface TripletTask {
  files: TripletFiles;
  /** Decoded in-process, or decoded and packed by a decoder thread. */
  finish(decoded: DecodedTriplet | PackedTriplet): NewCandidate;
  /** The file (or manifest line) a decoding error is reported against. */
  errorFile: string;
}

export interface UnitError {
  file: string;
  reason: string;
}

export interface UnitResult {
  candidates: NewCandidate[];
  errors: UnitError[];
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A rejection that names its file once. The report shows "file: reason", and FitsError and
 * AlertFileError messages start with their file (they are also thrown to callers with no report),
 * so the path was printed twice. "file (science cutout): x" keeps its "science cutout: x".
 */
export function namedOnce(err: UnitError): UnitError {
  const { file, reason } = err;
  if (reason.startsWith(`${file}: `)) return { file, reason: reason.slice(file.length + 2) };
  const part = reason.startsWith(`${file} (`) ? /^\(([^)]*)\): /.exec(reason.slice(file.length + 1)) : null;
  if (part) return { file, reason: `${part[1]}: ${reason.slice(file.length + 1 + part[0].length)}` };
  return err;
}

/**
 * In-process decoding reads synchronously, as the decoder threads do: ingest runs in a job worker
 * or the CLI, never on a UI thread, and a slice's reads block for about a millisecond, while each
 * promise-based stat + readFile cost five thread-pool round trips per file.
 */
const inProcessReader = new FileReader();

/** A unit made of one triplet of files, decodable in-process (decode) or by a decoder thread. */
export function tripletUnit(
  unit: Pick<IngestUnit, 'source' | 'key' | 'ids'>,
  task: TripletTask,
): IngestUnit & { triplet: TripletTask } {
  return {
    ...unit,
    triplet: task,
    async decode() {
      let decoded: DecodedTriplet;
      try {
        decoded = readTripletSync(task.files, inProcessReader);
      } catch (e) {
        return tripletFailed(task, errorMessage(e));
      }
      return { candidates: [task.finish(decoded)], errors: [] };
    },
  };
}

export function tripletFailed(task: TripletTask, reason: string): UnitResult {
  return { candidates: [], errors: [{ file: task.errorFile, reason }] };
}
