/**
 * Position of the decoder within one packet, shared by the layer decoders (gopacket's DecodingLayer idea:
 * each layer reads from here and leaves the cursor at the next layer, nothing is allocated per packet).
 */
export interface DecodeCursor {
  bytes: Uint8Array;
  /** Start of the layer about to be decoded. */
  offset: number;
  /** End of the captured bytes of the current (innermost) layer. */
  capturedEnd: number;
  /** End of the current layer as it was on the wire (from length fields), may exceed capturedEnd. */
  wireEnd: number;
  /** Ethertype announced by the layer just decoded (for link and tunnel layers). */
  etherType: number;
  /** IP protocol number announced by the IP layer just decoded. */
  ipProtocol: number;
  /** True when the IP layer was a non-first fragment (the transport header is elsewhere). */
  laterFragment: boolean;
  /** Encapsulations crossed so far, bounded to stop crafted loops. */
  depth: number;
}

export function newCursor(): DecodeCursor {
  return { bytes: new Uint8Array(0), offset: 0, capturedEnd: 0, wireEnd: 0, etherType: 0, ipProtocol: 0, laterFragment: false, depth: 0 };
}

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** Not a real ethertype: set by layers that know an IP packet follows but not its version. */
export const ETHERTYPE_IP_BY_VERSION = 0x10000;
/** Not a real ethertype: an Ethernet header follows (VXLAN, GRE transparent bridging, ...). */
export const ETHERTYPE_ETHERNET = 0x6558;
