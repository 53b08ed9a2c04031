/**
 * The ingest decoder thread (bundled as out/main/ingestDecoder.js): reads and decodes triplets for
 * the DecodePool, and for scoring turns runs of packed records into model rows. Synchronous reads
 * are the cheap ones here: this thread has nothing else to do.
 */
import { parentPort } from 'node:worker_threads';
import { computeRows } from '../model/scoreRows';
import { packedReply, type DecodeRequest, type RowsReply, type RowsRequest } from './decodePool';
import { FileReader, readTripletSync, type DecodedTriplet } from '../../stamps/sources/readImageFile';
import { errorMessage } from '../../stamps/sources/types';

const reader = new FileReader();

parentPort?.on('message', (req: DecodeRequest | RowsRequest) => {
  if ('rows' in req) {
    let reply: RowsReply;
    try {
      reply = { id: req.id, rows: computeRows(req.rows) };
    } catch (e) {
      reply = { id: req.id, error: errorMessage(e) };
    }
    // The rows' buffer is fresh and whole: moved to the scoring thread, not copied.
    parentPort!.postMessage(reply, reply.rows ? [reply.rows.buffer as ArrayBuffer] : []);
    return;
  }
  const results = req.tasks.map((files): DecodedTriplet | { error: string } => {
    try {
      return readTripletSync(files, reader);
    } catch (e) {
      return { error: errorMessage(e) };
    }
  });
  const [reply, transfer] = packedReply(req.id, results);
  parentPort!.postMessage(reply, transfer);
});
