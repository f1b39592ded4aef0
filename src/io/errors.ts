// The one error type for problems with data files: a missing file, a wrong size, a corrupt stream, an
// unexpected value. Its message always names the file and says what is wrong, so the CLI (and a browser
// app) can show it as is, without a stack trace.
export class DataError extends Error {
  override name = 'DataError';
}

/** Throws a DataError `${file}: ${problem}`. */
export function fail(file: string, problem: string): never {
  throw new DataError(`${file}: ${problem}`);
}

/** "1,234,567": byte counts in messages are easier to compare with separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
