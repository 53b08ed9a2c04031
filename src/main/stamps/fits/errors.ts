/**
 * The one error type of the FITS reader. Ingest turns it into a per-file line of its report, so the
 * message always names the file, says what is wrong and what the user can do about it.
 */
export class FitsError extends Error {
  readonly file: string;

  constructor(
    file: string,
    problem: string,
    advice = 'check that the file is a complete, uncorrupted FITS file',
  ) {
    super(`${file}: ${problem}; ${advice}.`);
    this.name = 'FitsError';
    this.file = file;
  }
}

/** An image larger than the reader's pixel cap, checked before anything is allocated. */
export function pixelLimitError(
  file: string,
  index: number,
  axes: readonly number[],
  pixels: number,
  maxPixels: number,
): FitsError {
  return new FitsError(
    file,
    `HDU ${index} is a ${axes.join(' x ')} image (${pixels} pixels), above the ${maxPixels}-pixel limit`,
    'stamps are small cutouts: cut the image first, or raise maxPixels',
  );
}
