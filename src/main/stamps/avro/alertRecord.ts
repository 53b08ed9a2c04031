import type { CandidateMeta } from '../../../shared/candidate';
import type { CandidateContext } from '../../../shared/context';
import type { AlertFileError } from './alertFileError';
import type { SchemaRepair } from './schemaRepair';

/** Raw FITS bytes as stored in the packet (gzipped for ZTF, plain for Rubin, ...). */
export interface AlertCutouts {
  science: Uint8Array | null;
  template: Uint8Array | null;
  difference: Uint8Array | null;
}

/** One alert, mapped from whichever survey schema it was written with. */
export interface AlertRecord {
  /** Candidate id as an exact decimal string (ZTF candid, Rubin diaSourceId, ...). */
  candid: string;
  objectId?: string;
  survey: 'ztf' | 'pgir' | 'winter' | 'atlas' | 'rubin' | string;
  meta: CandidateMeta;
  /** rb, drb and any other real/bogus score present (Rubin: reliability). */
  scores: Record<string, number>;
  cutouts: AlertCutouts;
  /** The stored fileName of each cutout, where the schema has one (ZTF, ATLAS). */
  cutoutNames: { science?: string; template?: string; difference?: string };
  /** Earlier epochs and context fields the packet carries (see contextMapping.ts). */
  context: CandidateContext;
  /** Why the history or context fields could not be read (the candidate itself still is). */
  contextProblem?: string;
}

export interface AlertFileResult {
  /**
   * Records of every block read intact. When `error` is set these are the records decoded
   * before the corrupt block (records of the corrupt block itself are never returned).
   */
  records: AlertRecord[];
  error: AlertFileError | null;
  /** Names of the lenient schema repairs applied to read this file (see schemaRepair.ts). */
  repairs: SchemaRepair[];
}
