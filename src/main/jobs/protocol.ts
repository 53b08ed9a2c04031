/**
 * Messages between main and a compute worker process. They cross a process boundary, so both ends
 * validate them with these schemas.
 */
import { z } from 'zod';
import { IngestReportSchema, JobKindSchema } from '../../shared/contract';

export const WorkerStartSchema = z.object({
  type: z.literal('start'),
  jobId: z.string(),
  kind: JobKindSchema,
  workspace: z.string(),
  params: z.record(z.string(), z.unknown()),
});
export const WorkerCancelSchema = z.object({ type: z.literal('cancel') });
export const ToWorkerSchema = z.union([WorkerStartSchema, WorkerCancelSchema]);

export const WorkerProgressSchema = z.object({
  type: z.literal('progress'),
  done: z.number(),
  total: z.number(),
  message: z.string(),
  metrics: z.record(z.string(), z.number().nullable()).optional(),
});
export const WorkerDoneSchema = z.object({
  type: z.literal('done'),
  cancelled: z.boolean(),
  report: IngestReportSchema.nullable(),
  result: z.record(z.string(), z.unknown()).default({}),
});
export const WorkerErrorSchema = z.object({ type: z.literal('error'), message: z.string() });
export const WorkerBackendSchema = z.object({
  type: z.literal('backend'),
  name: z.string(),
  reason: z.string(),
});
export const FromWorkerSchema = z.union([
  WorkerProgressSchema,
  WorkerDoneSchema,
  WorkerErrorSchema,
  WorkerBackendSchema,
]);

export type WorkerStart = z.infer<typeof WorkerStartSchema>;
export type ToWorker = z.infer<typeof ToWorkerSchema>;
export type FromWorker = z.infer<typeof FromWorkerSchema>;
