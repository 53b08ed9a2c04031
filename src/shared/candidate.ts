import { z } from 'zod';

/** Where a candidate came from; one adapter per kind in src/main/stamps/sources. */
export const SourceKindSchema = z.enum(['des', 'manifest', 'avro']);
export type SourceKind = z.infer<typeof SourceKindSchema>;

export const LabelValueSchema = z.enum(['real', 'bogus']);
export type LabelValue = z.infer<typeof LabelValueSchema>;

/** Metadata a candidate carries from its source (FITS headers, alert record, manifest columns). */
export const CandidateMetaSchema = z.object({
  /** Modified Julian Date of the search image. */
  mjd: z.number().optional(),
  band: z.string().optional(),
  /** Degrees, ICRS. */
  ra: z.number().optional(),
  dec: z.number().optional(),
  mag: z.number().optional(),
  magErr: z.number().optional(),
  isdiffpos: z.boolean().optional(),
  survey: z.string().optional(),
  objectId: z.string().optional(),
  exptime: z.number().optional(),
  magzp: z.number().optional(),
  gain: z.number().optional(),
});
export type CandidateMeta = z.infer<typeof CandidateMetaSchema>;

/** What came with the data: a label (e.g. autoscan OBJECT_TYPE) and machine scores (rb, drb, ...). */
export const GivenSchema = z.object({
  label: LabelValueSchema.optional(),
  scores: z.record(z.string(), z.number()).default({}),
  features: z.record(z.string(), z.number()).optional(),
});
export type Given = z.infer<typeof GivenSchema>;

/** The original files (or packet + record) a candidate's stamps were read from. */
export const StampOriginSchema = z.object({
  search: z.string(),
  template: z.string().nullable(),
  difference: z.string(),
});
export type StampOrigin = z.infer<typeof StampOriginSchema>;
