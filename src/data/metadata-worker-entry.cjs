// Entry of the metadata-reading thread (metadata-prefetch.ts). The thread runs the harness's
// TypeScript source: tsx's require hook is registered in this thread (hooks registered in the
// parent do not reach a worker), then the TS module is required. The CommonJS hook, unlike the
// ES module one, runs in this thread, without a loader thread of its own: the thread starts in
// about half the time, and its reading overlaps more of the main thread's.
const { register } = require('tsx/cjs/api');

register();
require('./metadata-worker.ts');
