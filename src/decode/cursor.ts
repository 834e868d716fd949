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
  /** The IP layer just decoded is a fragment; offset (bytes), more-fragments flag and datagram id. */
  fragment: boolean;
  /** Protocol of the fragmented datagram's payload, the same in every fragment (part of its identity). */
  fragmentProtocol: number;
  fragmentOffset: number;
  moreFragments: boolean;
  fragmentId: number;
  /** Where this fragment's share of the datagram payload starts and ends (wire length). */
  fragmentDataStart: number;
  fragmentDataEnd: number;
  /** Whether all of this fragment's data was captured (only such fragments are reassembled). */
  fragmentCaptured: boolean;
  /** Encapsulations crossed so far, bounded to stop crafted loops. */
  depth: number;
}

export function newCursor(): DecodeCursor {
  return {
    bytes: new Uint8Array(0),
    offset: 0,
    capturedEnd: 0,
    wireEnd: 0,
    etherType: 0,
    ipProtocol: 0,
    fragment: false,
    fragmentProtocol: 0,
    fragmentOffset: 0,
    moreFragments: false,
    fragmentId: 0,
    fragmentDataStart: 0,
    fragmentDataEnd: 0,
    fragmentCaptured: false,
    depth: 0,
  };
}

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** PPPoE session stage (RFC 2516). */
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
/** Not a real ethertype: set by layers that know an IP packet follows but not its version. */
export const ETHERTYPE_IP_BY_VERSION = 0x10000;
/** Largest IP datagram: the bound used for a first fragment's inner layers until reassembly tells the size. */
export const MAX_DATAGRAM = 65535;
/** Not a real ethertype: an Ethernet header follows (VXLAN, GRE transparent bridging, ...). */
export const ETHERTYPE_ETHERNET = 0x6558;
