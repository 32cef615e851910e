/**
 * Labelling: the sampling of unlabelled systems, the queue, and the local labelling server.
 */
export { startLabelServer } from './server.ts';
export { readTimelines, type TimelineIndex } from './timelines.ts';
export { queuePath, writeQueue } from './queue.ts';
export { sampleUnlabelled } from './sample.ts';
