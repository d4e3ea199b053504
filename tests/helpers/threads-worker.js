// threads-worker.js — a worker_thread of the test's own (a "user worker"): loads embedkit with
// the requested thread count, runs the named parallel cases and posts their results back.
import { parentPort, workerData } from 'node:worker_threads';
import * as ek from '../../src/js/index.js';
import { threadChunkCounts } from '../../src/js/threads.js';
import { cases } from './parallel-cases.js';

await ek.init({ threads: workerData.threads });
threadChunkCounts();
const results = {};
for (const name of workerData.names ?? Object.keys(cases)) results[name] = cases[name](ek);
parentPort.postMessage({ features: { ...ek.features }, results, chunks: threadChunkCounts() });
await ek.terminate();
