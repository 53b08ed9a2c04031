/**
 * The ingest decoder thread (bundled as out/main/ingestDecoder.js): reads and decodes triplets for
 * the DecodePool. Synchronous reads are the cheap ones here: this thread has nothing else to do.
 */
import { parentPort } from 'node:worker_threads';
import { replyWithTransfers, type DecodeRequest, type TaskReply } from './decodePool';
import { FileReader, readTripletSync } from '../../stamps/sources/readImageFile';
import { errorMessage } from '../../stamps/sources/types';

const reader = new FileReader();

parentPort?.on('message', (req: DecodeRequest) => {
  const results = req.tasks.map((files): TaskReply => {
    try {
      return readTripletSync(files, reader);
    } catch (e) {
      return { error: errorMessage(e) };
    }
  });
  const [reply, transfer] = replyWithTransfers(req.id, results);
  parentPort!.postMessage(reply, transfer);
});
