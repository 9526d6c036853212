/**
 * Loaded with `node --import` before the project's `zen` CLI (see zen-cli.ts): zen crashes on
 * Node 20 at `Object.groupBy`, which this installs first.
 */
import { installGroupByPolyfills } from './node-compat.js';

installGroupByPolyfills();
