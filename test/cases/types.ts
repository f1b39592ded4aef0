// A test case runs unchanged in Node (vitest) and in headless Chromium (test/browser). It throws on a
// mismatch and returns a digest of its numbers so the browser run can be compared with Node's.
import type { Digest } from '../helpers/check.js';

export interface TestCase {
  name: string;
  run: () => Promise<Digest | void>;
}
