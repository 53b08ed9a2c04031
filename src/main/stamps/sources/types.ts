import type { SourceKind } from '../../../shared/candidate';
import type { NewCandidate } from '../../catalog/workspace';

/** One thing to ingest: a DES triplet, a manifest row, or an Avro packet file. */
export interface IngestUnit {
  source: SourceKind;
  /** Stable key: resume skips units already in the catalog. */
  key: string;
  /** Candidate ids this unit will produce when known before decoding (DES, manifest). */
  ids?: string[];
  decode(): Promise<UnitResult>;
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
