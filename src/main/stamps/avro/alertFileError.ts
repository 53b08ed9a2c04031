/**
 * Thrown (or returned beside partial results) when an alert packet cannot be read to the end.
 * The message always names the file, what went wrong and where (block / record / byte offset),
 * because ingest shows it to the user as a per-file error.
 */
export class AlertFileError extends Error {
  readonly file: string;
  /** 0-based index of the container block where the problem was found, when known. */
  readonly block: number | null;
  /** 0-based index (within the file) of the record being decoded, when known. */
  readonly record: number | null;

  constructor(
    file: string,
    problem: string,
    where: { block?: number; record?: number; offset?: number } = {},
  ) {
    const parts: string[] = [];
    if (where.block !== undefined) parts.push(`block ${where.block}`);
    if (where.record !== undefined) parts.push(`record ${where.record}`);
    if (where.offset !== undefined) parts.push(`byte ${where.offset}`);
    const at = parts.length ? ` (at ${parts.join(', ')})` : '';
    super(`${file}: ${problem}${at}`);
    this.name = 'AlertFileError';
    this.file = file;
    this.block = where.block ?? null;
    this.record = where.record ?? null;
  }
}
