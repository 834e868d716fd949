/**
 * Packet and capture-file crafting for tests and the benchmark generator: build IP/TCP packets with any
 * field (including wrong ones), frame them for any link type, script whole TCP conversations, and write
 * classic pcap, pcapng and gzip files to memory or to a file descriptor.
 */
export * from './address.js';
export * from './byte-order.js';
export * from './byte-sink.js';
export * from './checksum.js';
export * from './conversation.js';
export * from './gzip.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './link-layer.js';
export * from './link-types.js';
export * from './pcap-writer.js';
export * from './pcapng-writer.js';
export * from './tcp-packet.js';
export * from './tcp-segment.js';
export * from './timestamp.js';
export * from './bombs.js';
export * from './zstd.js';
export * from './floods.js';
