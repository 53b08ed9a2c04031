/**
 * The ingest decoder thread (bundled as out/main/ingestDecoder.js): reads and decodes triplets for
 * the DecodePool, and for scoring turns runs of packed records into model rows. Synchronous reads
 * are the cheap ones here: this thread has nothing else to do.
 */
import { parentPort } from 'node:worker_threads';
import { computeRows } from '../model/scoreRows';
import {
  type DecodeReply,
  type DecodeRequest,
  type RowsReply,
  type RowsRequest,
  type TaskReply,
} from './decodePool';
import type { CandidateMeta } from '../../../shared/candidate';
import { RecordWriter } from '../../catalog/stampPack';
import { FileReader, readTripletPacked } from '../../stamps/sources/readImageFile';
import { errorMessage } from '../../stamps/sources/types';

const reader = new FileReader();
const records = new RecordWriter();

parentPort?.on('message', (req: DecodeRequest | RowsRequest) => {
  if ('rows' in req) {
    let reply: RowsReply;
    try {
      reply = { id: req.id, rows: computeRows(req.rows, req.into) };
    } catch (e) {
      reply = { id: req.id, error: errorMessage(e) };
    }
    // The rows' buffer (fresh, or the one handed over) is moved to the scoring thread, not copied.
    parentPort!.postMessage(reply, reply.rows ? [reply.rows.buffer as ArrayBuffer] : []);
    return;
  }
  // The batch's records go side by side into one buffer (the one handed back, if any), each
  // image's pixels decoded straight into place; the buffer is moved to the ingesting thread, which
  // writes the records as they are.
  if (req.into) records.adopt(req.into);
  const spans = req.tasks.map(
    (files): { start: number; end: number; meta: Partial<CandidateMeta> } | { error: string } => {
      try {
        return readTripletPacked(files, reader, records);
      } catch (e) {
        return { error: errorMessage(e) };
      }
    },
  );
  const buffer = records.take();
  const results = spans.map((s): TaskReply =>
    'error' in s ? s : { packed: new Uint8Array(buffer, s.start, s.end - s.start), meta: s.meta },
  );
  parentPort!.postMessage({ id: req.id, results, buffer } satisfies DecodeReply, [buffer]);
});
