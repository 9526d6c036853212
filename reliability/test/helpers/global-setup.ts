import { checkTestServices } from '@migrate-kit/test-support';
import { BINS } from './cli.js';

/** The suite drives the built CLIs against the machine's PostgreSQL and never skips: see checkTestServices. */
export default function setup(): Promise<void> {
  return checkTestServices({ built: Object.fromEntries(Object.entries(BINS).map(([name, bin]) => [name, new URL('../dist/', `file://${bin}`)])) });
}
