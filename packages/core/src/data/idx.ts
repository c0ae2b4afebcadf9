import { readFileSync } from 'node:fs';
import { DataError } from '../errors/errors';
import { sharedFloat32 } from './dataset';

/**
 * Reads an IDX file (the MNIST format: big-endian magic 0x0000080N with N dimensions, the sizes,
 * then unsigned bytes). Returns the sizes and a view of the payload; throws a DataError naming the
 * file when the header or the length is off.
 */
export function readIdx(file: string, expectedDims: number): { dims: number[]; data: Uint8Array } {
  const buf = readFileSync(file);
  if (buf.length < 4 + 4 * expectedDims)
    throw new DataError(`${file}: too short for an IDX header (${buf.length} bytes)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== 0x0800 + expectedDims) {
    throw new DataError(
      `${file}: IDX magic 0x${magic.toString(16)} is not unsigned bytes with ${expectedDims} dimensions`,
    );
  }
  const dims = Array.from({ length: expectedDims }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * expectedDims;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (buf.length - offset !== expected) {
    throw new DataError(
      `${file}: header promises ${expected} bytes of data (${dims.join('×')}) but ${buf.length - offset} follow`,
    );
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, expected) };
}

/** Bytes 0–255 to floats in [0, 1], on shared memory (see `sharedFloat32`). */
export function bytesToUnitFloats(bytes: Uint8Array): Float32Array {
  const out = sharedFloat32(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}
