import { AlertFileError } from './alertFileError';
import type { AlertFileResult, AlertRecord } from './alertRecord';
import { decompressBlock, isSupportedCodec } from './blockCodecs';
import { ContainerProblem, iterateBlocks, parseHeader, type ContainerHeader } from './container';
import { compileSchema, type CompiledSchema } from './datumType';
import { mapAlertRecord } from './recordMapping';
import { detectSurvey, schemaFullName, topLevelFields } from './surveyDetect';

/**
 * Reads one Avro alert packet (object container file) into uniform AlertRecords.
 *
 * Never throws for bad input: every problem becomes `error` (an AlertFileError naming the file,
 * the problem and the block/record). Partial results: records of blocks that were read intact
 * (framing, sync marker, decompression, and exactly `count` records filling the block) before
 * the problem are returned beside the error; records of the corrupt block are dropped, since
 * nothing in them can be trusted once its framing is wrong. A file that reads to the end with
 * zero records is not an error (Avro allows it).
 */
export function readAlertFile(bytes: Uint8Array, file: string): AlertFileResult {
  const records: AlertRecord[] = [];
  let repairs: CompiledSchema['repairs'] = [];
  const fail = (problem: string, where: { block?: number; record?: number; offset?: number } = {}) => ({
    records,
    error: new AlertFileError(file, problem, where),
    repairs,
  });

  let header: ContainerHeader;
  try {
    header = parseHeader(bytes);
  } catch (e) {
    if (e instanceof ContainerProblem) return fail(e.message, e.where);
    return fail(`unreadable header: ${(e as Error).message}`);
  }
  if (!isSupportedCodec(header.codec)) {
    return fail(`unsupported Avro codec '${header.codec}' (this reader supports null, deflate and snappy)`);
  }
  let compiled: CompiledSchema;
  try {
    compiled = compileSchema(header.schemaJson);
  } catch (e) {
    return fail((e as Error).message);
  }
  repairs = compiled.repairs;
  const survey = detectSurvey(schemaFullName(compiled.raw), topLevelFields(compiled.raw));

  let recordIndex = 0;
  try {
    for (const block of iterateBlocks(bytes, header)) {
      let data: Buffer;
      try {
        const raw = decompressBlock(header.codec, block.data);
        data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
      } catch (e) {
        return fail(`cannot decompress the block (${header.codec}): ${(e as Error).message}`, {
          block: block.index,
          offset: block.offset,
        });
      }
      // Every alert record takes at least one byte; a larger count is corrupt and would
      // otherwise make us spin on empty decodes.
      if (block.count > data.length) {
        return fail(`the block declares ${block.count} records but holds only ${data.length} bytes`, {
          block: block.index,
          offset: block.offset,
        });
      }
      const decoded: AlertRecord[] = [];
      let pos = 0;
      for (let i = 0; i < block.count; i++) {
        let res: { value: unknown; offset: number };
        try {
          res = compiled.type.decode(data, pos);
        } catch (e) {
          return fail(`record does not match the schema: ${(e as Error).message}`, {
            block: block.index,
            record: recordIndex + i,
          });
        }
        if (res.offset < 0) {
          return fail(
            `the block declares ${block.count} records but its data ends inside record ${i + 1} of them`,
            { block: block.index, record: recordIndex + i },
          );
        }
        pos = res.offset;
        decoded.push(mapAlertRecord(res.value, survey));
      }
      if (pos !== data.length) {
        return fail(
          `the block declares ${block.count} record(s) but ${data.length - pos} byte(s) remain after decoding them (record count disagrees with the data)`,
          { block: block.index, offset: block.offset },
        );
      }
      records.push(...decoded);
      recordIndex += block.count;
    }
  } catch (e) {
    if (e instanceof ContainerProblem) return fail(e.message, e.where);
    return fail(`unexpected failure: ${(e as Error).message}`);
  }
  return { records, error: null, repairs };
}
