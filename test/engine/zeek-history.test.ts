/**
 * Zeek `history` letters are packed as codes in the connection's int block (history-letters.ts); these
 * cases cover what the packing must not change: histories longer than the packed words, and the
 * case swap and caret of a connection seen first from its responder.
 */
import { describe, expect, it } from 'vitest';
import { conversation } from '../../tools/craft/index.js';
import { analyzePackets } from './run-packets.js';

const CLIENT = '10.0.0.1:40000';
const SERVER = '10.0.0.2:8080';

/** Handshake, 100 bytes from the client, the server's ACK: history ShADa. */
function established() {
  const c = conversation(CLIENT, SERVER);
  c.syn();
  c.synAck();
  c.ack();
  c.data('a', 100);
  c.ack('b');
  return c;
}

describe('Zeek history', () => {
  it('keeps every letter of a long history (repeated RSTs at new sequence numbers)', async () => {
    const c = established();
    // Each RST at a new sequence number adds another 'r' (TCPSessionAdapter::update_history).
    for (let n = 0; n < 40; n++) c.rst('b', { seq: 5000 + n * 10, advance: false });
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.history).toBe(`ShADa${'r'.repeat(40)}`);
    expect(r.history).toHaveLength(45);
  });

  it('a connection first seen at its SYN/ACK is flipped: caret, then the letters with their case swapped', async () => {
    const c = established();
    c.fin('a');
    c.fin('b');
    c.ack('a');
    // Drop the SYN: the capture starts at the server's SYN/ACK.
    const r = (await analyzePackets(c.packets.slice(1))).stream(0);
    expect(r.history).toBe('^hADaFf');
    expect(r.connState).toBe('SF');
  });
});
