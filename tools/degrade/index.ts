/**
 * Degraded variants of the ground-truth captures in captures/ (dropped FIN or data, one direction only,
 * duplicates, late start, short snap lengths, reordering) with the verdict every connection should still
 * get. Used by scripts/degrade-captures.ts (files for Wireshark) and test/engine/degraded.test.ts.
 */
export * from './capture-model.js';
export * from './capture-write.js';
export * from './connections.js';
export * from './expected.js';
export * from './judge-records.js';
export * from './manifest.js';
export * from './tcp-view.js';
export * from './variants.js';
