/**
 * @weightspace/bench: `npm run bench`, weightspace against PyTorch + SciPy in the same run.
 * @packageDocumentation
 */
export { median, ratio, timeMedian } from './stats';
export { ensureReference, runReference } from './reference';
