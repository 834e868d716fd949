/**
 * The tracker, the ladder and Zeek's replay re-point reused cursors at each packet's record. Those
 * cursors must belong to the store they point into: a cursor kept by a module kept the last analysed
 * store (every record chunk, close block and event pool: 43 MB on the bench capture) alive after its
 * analysis, through the report and into the next capture of a batch.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ladderPackets } from '../../src/track/ladder.js';
import { zeekConnState } from '../../src/track/zeek-history.js';
import { A, B, Replay } from './replay.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A whole connection through every per-packet path (state, Zeek's replay, ladder, close block), then what is read at its judgement. */
function closedConnection(): WeakRef<object> {
  const w = new Replay();
  w.send(A, 'S', { seq: 100 });
  w.send(B, 'SA', { seq: 500, ack: 101 });
  w.send(A, 'A', { seq: 101, ack: 501 });
  w.send(A, 'FA', { seq: 101, ack: 501 });
  w.send(B, 'A', { seq: 501, ack: 102 });
  w.send(B, 'FA', { seq: 501, ack: 102 });
  w.send(A, 'A', { seq: 102, ack: 502 });
  expect(w.over).toBe(true);
  expect(zeekConnState(w.store, w.slot)).toBe('SF');
  expect(ladderPackets(w.store, w.slot).length).toBeGreaterThan(0);
  return new WeakRef(w.store);
}

describe('a connection store', () => {
  it('is not kept alive by the tracker once its analysis lets go of it', async () => {
    const store = closedConnection();
    // WeakRefs are cleared only after the job that made them: let it end before collecting.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(store.deref()).toBeUndefined();
  });
});
