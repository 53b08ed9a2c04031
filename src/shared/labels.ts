/**
 * The astronomer's labels as they cross process boundaries and travel between colleagues: one
 * schema for the renderer (which keeps them in Dexie), main (export, import, retraining) and the
 * label-set files. Imports nothing of ours.
 */
import { z } from 'zod';

/** 'skip' means "looked, cannot tell": kept so nothing seen is forgotten, never trained on or exported as confirmed. */
export const HumanLabelValueSchema = z.enum(['real', 'bogus', 'skip']);
export type HumanLabelValue = z.infer<typeof HumanLabelValueSchema>;

export const HumanLabelSchema = z
  .object({
    candidateId: z.string().min(1),
    /** The workspace the label was given in (the app uses the folder path). */
    workspace: z.string(),
    label: HumanLabelValueSchema,
    /** A refinement such as 'variable-star', 'agn', 'asteroid'; null when none. Never '' (null says that). */
    subclass: z.string().min(1).nullable(),
    /** The model version and score on screen when the label was given (null: no model yet). */
    modelVersion: z.string().min(1).nullable(),
    score: z.number().finite().nullable(),
    secondsSpent: z.number().finite().nonnegative(),
    labelledAt: z.iso.datetime({ offset: true }),
    /** Who: the OS user name by default; 'data' for labels that came with the survey data. */
    by: z.string().min(1),
  })
  .strict();
export type HumanLabel = z.infer<typeof HumanLabelSchema>;

/**
 * Sub-classes refine a label; each implies its class, so one key does both. Real means
 * astrophysical (the field's real/bogus, as braai and autoscan use it): variable stars, AGN and
 * asteroids are real, and the supernova-like ones are told apart by their sub-class. The demo
 * simulator labels its kinds through the same table.
 */
export interface SubClass {
  /** The digit key that applies it at the desk. */
  key: string;
  id: string;
  name: string;
  implies: 'real' | 'bogus';
}

export const SUBCLASSES: readonly SubClass[] = [
  { key: '1', id: 'sn', name: 'supernova-like transient', implies: 'real' },
  { key: '2', id: 'variable-star', name: 'variable star', implies: 'real' },
  { key: '3', id: 'agn', name: 'AGN / nuclear variability', implies: 'real' },
  { key: '4', id: 'asteroid', name: 'asteroid (moving object)', implies: 'real' },
  { key: '5', id: 'bad-subtraction', name: 'bad subtraction (dipole)', implies: 'bogus' },
  { key: '6', id: 'cosmic-ray', name: 'cosmic ray', implies: 'bogus' },
  { key: '7', id: 'hot-pixel', name: 'hot pixel / bad column', implies: 'bogus' },
  { key: '8', id: 'satellite', name: 'satellite or trail', implies: 'bogus' },
  { key: '9', id: 'bright-star', name: 'bright-star residual / ghost', implies: 'bogus' },
];

export function subclassById(id: string | null | undefined): SubClass | undefined {
  return id ? SUBCLASSES.find((s) => s.id === id) : undefined;
}

/** The class a label stands for: its sub-class's, else its own; null for a skip ("cannot tell"). */
export function trainingClass(l: {
  label: HumanLabelValue;
  subclass: string | null;
}): 'real' | 'bogus' | null {
  const implied = subclassById(l.subclass)?.implies;
  if (implied) return implied;
  return l.label === 'skip' ? null : l.label;
}

export const LABEL_SET_FORMAT = 'skysift-labels';
export const LABEL_SET_VERSION = 1;

/** The JSON label-set file: what `labelsExport` writes and `labelsImport` reads. */
export const LabelSetFileSchema = z.object({
  format: z.literal(LABEL_SET_FORMAT),
  version: z.literal(LABEL_SET_VERSION),
  workspace: z.string(),
  exportedAt: z.string(),
  labels: z.array(z.unknown()),
});
export type LabelSetFile = z.infer<typeof LabelSetFileSchema>;

export const ConfirmedFormatSchema = z.enum(['csv', 'json', 'votable', 'tns']);
export type ConfirmedFormat = z.infer<typeof ConfirmedFormatSchema>;
export const LabelSetFormatSchema = z.enum(['csv', 'json']);
export type LabelSetFormat = z.infer<typeof LabelSetFormatSchema>;

/** Values a TNS draft needs that only the astronomer knows; placeholders are written when absent. */
export const TnsDraftOptionsSchema = z
  .object({
    reporter: z.string().min(1).optional(),
    reportingGroupId: z.string().min(1).optional(),
    discoveryDataSourceId: z.string().min(1).optional(),
  })
  .strict();
export type TnsDraftOptions = z.infer<typeof TnsDraftOptionsSchema>;

const MAX_LABELS = 2_000_000;

export const ExportConfirmedArgsSchema = z
  .object({
    /** Absent: the night's labels as main's journal holds them (the system of record). */
    labels: z.array(HumanLabelSchema).max(MAX_LABELS).optional(),
    format: ConfirmedFormatSchema,
    /** An existing folder; the file name is Skysift's own (skysift-confirmed-<workspace>-<time>.<ext>). */
    folder: z.string().min(1),
    /** Create `folder` (and its parents) when it does not exist; otherwise a missing folder is an error. */
    createFolder: z.boolean().optional(),
    /** Keep only 'real' labels with one of these sub-classes (absent or empty: every 'real' label). */
    subclasses: z.array(z.string().min(1)).optional(),
    tns: TnsDraftOptionsSchema.optional(),
  })
  .strict();

export const ExportResultSchema = z.object({
  file: z.string(),
  rows: z.number().int().nonnegative(),
  /** Labelled ids that are not in the workspace (left out: no position or time to export). */
  unknownIds: z.array(z.string()).default([]),
});
export type ExportResult = z.infer<typeof ExportResultSchema>;

export const LabelsExportArgsSchema = z
  .object({
    /** Absent: the night's labels from main's journal. */
    labels: z.array(HumanLabelSchema).max(MAX_LABELS).optional(),
    format: LabelSetFormatSchema,
    folder: z.string().min(1),
    /** A plain file name in `folder` (default: Skysift's own); an existing file is never overwritten (-2, -3 ... is added). */
    fileName: z
      .string()
      .regex(/^[^/\\.][^/\\]*$/, 'a plain file name, no folder')
      .optional(),
    /** Create `folder` (and its parents) when it does not exist. */
    createFolder: z.boolean().optional(),
  })
  .strict();

export const LabelsImportArgsSchema = z
  .object({
    file: z.string().min(1),
    /** The labels held now for the open night (absent: main's journal): import never overwrites them. */
    existing: z.array(HumanLabelSchema).max(MAX_LABELS).optional(),
  })
  .strict();

export const LabelConflictSchema = z.object({
  candidateId: z.string(),
  mine: HumanLabelSchema,
  theirs: HumanLabelSchema,
});
export type LabelConflict = z.infer<typeof LabelConflictSchema>;

export const LabelImportErrorSchema = z.object({
  line: z.number().int().nonnegative(),
  /** A whole sentence naming the file and line, ready to show. */
  reason: z.string(),
});
export type LabelImportError = z.infer<typeof LabelImportErrorSchema>;

export const LabelsImportResultSchema = z.object({
  file: z.string(),
  /** New labels to add (their workspace set to the open one); nothing here replaces an existing label. */
  labels: z.array(HumanLabelSchema),
  /** Candidates labelled differently (label or sub-class) here and in the file: the astronomer decides. */
  conflicts: z.array(LabelConflictSchema),
  /** Labels in the file that say what the app already says: skipped. */
  identical: z.number().int().nonnegative(),
  /** Candidate ids in the file that this workspace does not have: not imported. */
  unknownIds: z.array(z.string()),
  errors: z.array(LabelImportErrorSchema),
});
export type LabelsImportResult = z.infer<typeof LabelsImportResultSchema>;
