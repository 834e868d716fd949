/**
 * Floods for memory and time limits, written straight into a capture sink (constant memory, about a
 * million packets a second): a SYN flood, connections that open and never close, and IP fragments that
 * never complete. Each packet is a template copied into the sink's buffer with its addresses, ports, IDs
 * and offsets patched and both checksums recomputed, so tshark reads the same packets closetrace does.
 */
import type { ByteSink } from './byte-sink.js';
import { foldChecksum, onesSum } from './checksum.js';
import { ether } from './link-layer.js';
import { ipv4 } from './ipv4.js';
import { PcapWriter } from './pcap-writer.js';
import { tcp } from './tcp-packet.js';

const ETH = 14;
const IP = ETH;
const TCP = ETH + 20;
const START_SECONDS = 1_700_000_000;

/** The client address of connection `i`: 10.0.0.1 upwards (16 million before wrapping). */
function clientAddress(i: number): number {
  return (0x0a000001 + (i % 0xfffffe)) >>> 0;
}

function setAddress(b: Uint8Array, at: number, address: number): void {
  b[at] = address >>> 24;
  b[at + 1] = (address >>> 16) & 0xff;
  b[at + 2] = (address >>> 8) & 0xff;
  b[at + 3] = address & 0xff;
}

function set16(b: Uint8Array, at: number, value: number): void {
  b[at] = (value >>> 8) & 0xff;
  b[at + 1] = value & 0xff;
}

function set32(b: Uint8Array, at: number, value: number): void {
  setAddress(b, at, value >>> 0);
}

/** Recomputes the IPv4 header checksum, and the TCP checksum when the frame carries TCP. */
function refreshChecksums(b: Uint8Array, at: number, length: number): void {
  set16(b, at + IP + 10, 0);
  set16(b, at + IP + 10, foldChecksum(onesSum(b, at + IP, at + TCP)));
  if (b[at + IP + 9] !== 6 || (b[at + IP + 6] & 0x3f) !== 0 || b[at + IP + 7] !== 0) return;
  const tcpLength = length - TCP;
  set16(b, at + TCP + 16, 0);
  let sum = onesSum(b, at + IP + 12, at + IP + 20) + 6 + tcpLength;
  sum = onesSum(b, at + TCP, at + length, sum);
  set16(b, at + TCP + 16, foldChecksum(sum));
}

/** Writes `template` as the next record, lets `patch` change it in place, and fixes its checksums. */
function writePatched(writer: PcapWriter, packet: number, template: Uint8Array, patch: (b: Uint8Array, at: number) => void): void {
  const at = writer.beginRecord(START_SECONDS + Math.floor(packet / 1_000_000), (packet % 1_000_000) * 1000, template.length);
  const b = writer.sink.buffer;
  b.set(template, at);
  patch(b, at);
  refreshChecksums(b, at, template.length);
  writer.endRecord();
}

export interface ConnectionFloodOptions {
  connections: number;
  /** Server port every client connects to; default 80. */
  serverPort?: number;
}

/**
 * A SYN flood: one SYN from each of `connections` distinct clients (10.0.0.1 upwards) to 192.0.2.1,
 * never answered. Writes a classic pcap header first; returns the packets written.
 */
export function writeSynFlood(sink: ByteSink, options: ConnectionFloodOptions): number {
  const writer = new PcapWriter(sink);
  const syn = ether(tcp({ src: '10.0.0.1:1024', dst: `192.0.2.1:${options.serverPort ?? 80}`, flags: 'S', seq: 1000, options: [] }));
  for (let i = 0; i < options.connections; i++) {
    writePatched(writer, i, syn, (b, at) => {
      setAddress(b, at + IP + 12, clientAddress(i));
      set16(b, at + TCP, 1024 + (i % 60000));
      set32(b, at + TCP + 4, 1000 + i * 7919);
    });
  }
  return writer.packets;
}

/**
 * Connections that open (SYN, SYN-ACK, ACK) and never close: `connections` distinct clients to
 * 192.0.2.1, each handshake complete before the next begins. Returns the packets written.
 */
export function writeOpenConnections(sink: ByteSink, options: ConnectionFloodOptions): number {
  const writer = new PcapWriter(sink);
  const port = options.serverPort ?? 80;
  const syn = ether(tcp({ src: '10.0.0.1:1024', dst: `192.0.2.1:${port}`, flags: 'S', seq: 1000, options: [] }));
  const synAck = ether(tcp({ src: `192.0.2.1:${port}`, dst: '10.0.0.1:1024', flags: 'SA', seq: 5000, ack: 1001, options: [] }));
  const ack = ether(tcp({ src: '10.0.0.1:1024', dst: `192.0.2.1:${port}`, flags: 'A', seq: 1001, ack: 5001, options: [] }));
  let packet = 0;
  for (let i = 0; i < options.connections; i++) {
    const client = clientAddress(i);
    const clientPort = 1024 + (i % 60000);
    const isn = (1000 + i * 7919) >>> 0;
    const serverIsn = (5000 + i * 104729) >>> 0;
    writePatched(writer, packet++, syn, (b, at) => {
      setAddress(b, at + IP + 12, client);
      set16(b, at + TCP, clientPort);
      set32(b, at + TCP + 4, isn);
    });
    writePatched(writer, packet++, synAck, (b, at) => {
      setAddress(b, at + IP + 16, client);
      set16(b, at + TCP + 2, clientPort);
      set32(b, at + TCP + 4, serverIsn);
      set32(b, at + TCP + 8, isn + 1);
    });
    writePatched(writer, packet++, ack, (b, at) => {
      setAddress(b, at + IP + 12, client);
      set16(b, at + TCP, clientPort);
      set32(b, at + TCP + 4, isn + 1);
      set32(b, at + TCP + 8, serverIsn + 1);
    });
  }
  return writer.packets;
}

export interface FragmentFloodOptions {
  datagrams: number;
  fragmentsPerDatagram: number;
  /** Data bytes per fragment (a multiple of 8); default 8. */
  fragmentBytes?: number;
  /**
   * Distance between fragment offsets in bytes; default twice fragmentBytes, which leaves a hole after
   * every fragment so no datagram ever completes. Equal to fragmentBytes: contiguous.
   */
  stride?: number;
  /** Round-robin over the datagrams (true, default) or one datagram after the other. */
  interleave?: boolean;
  /** Send the last fragment (MF clear) too; default false. */
  last?: boolean;
}

/**
 * IPv4 fragments of TCP datagrams (IDs 1 upwards, 10.0.0.1 -> 192.0.2.1) that, with the default
 * stride, never complete: the quadratic-time and memory flood of IP reassembly. Returns the packets.
 */
export function writeFragmentFlood(sink: ByteSink, options: FragmentFloodOptions): number {
  const writer = new PcapWriter(sink);
  const size = options.fragmentBytes ?? 8;
  const stride = options.stride ?? 2 * size;
  if (size % 8 !== 0 || stride % 8 !== 0) throw new RangeError('fragment sizes and offsets are multiples of 8');
  const fragment = ether(ipv4({ src: '10.0.0.1', dst: '192.0.2.1', protocol: 6, payload: new Uint8Array(size), df: false, mf: true, fragmentOffset: 8 }));
  const { datagrams, fragmentsPerDatagram } = options;
  const interleave = options.interleave ?? true;
  const total = datagrams * fragmentsPerDatagram;
  for (let n = 0; n < total; n++) {
    const d = interleave ? n % datagrams : Math.floor(n / fragmentsPerDatagram);
    const k = interleave ? Math.floor(n / datagrams) : n % fragmentsPerDatagram;
    const offset = k * stride;
    const more = !(options.last && k === fragmentsPerDatagram - 1);
    writePatched(writer, n, fragment, (b, at) => {
      set16(b, at + IP + 4, (d + 1) & 0xffff);
      set16(b, at + IP + 6, (more ? 0x2000 : 0) | ((offset >> 3) & 0x1fff));
    });
  }
  return writer.packets;
}
