/**
 * Child-process wrapper of `benchTransforms` (bench/transforms.ts), so that the transforms' peak RSS is not the
 * bench runner's: `node --expose-gc --import tsx bench/lib/stage-transforms.ts --pages N` prints one JSON line.
 */
import { benchTransforms } from '../transforms.js';

const i = process.argv.indexOf('--pages');
const pages = i >= 0 ? Number(process.argv[i + 1]) : 200;
const result = await benchTransforms({ pages });
process.stdout.write(`${JSON.stringify(result)}\n`);
