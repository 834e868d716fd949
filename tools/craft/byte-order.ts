/** Byte order of multi-byte fields in capture headers (packet headers themselves are always big-endian). */
export type ByteOrder = 'little' | 'big';

export function isLittle(order: ByteOrder): boolean {
  return order === 'little';
}
