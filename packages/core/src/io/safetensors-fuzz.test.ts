import { CheckpointError } from '../errors/errors';
import { Rng } from '../random/rng';
import { decodeSafetensors, encodeSafetensors, type RawTensor } from './safetensors';

/**
 * A seeded fuzz of the reader: thousands of mutations of valid files. Every one must either be
 * refused with a CheckpointError, or be accepted only if it still follows the format's rules:
 * the tensors' bytes add up to the data section exactly, and the file decodes to what it encodes.
 */
const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8, U8: 1, BOOL: 1 };

function validFiles(): Uint8Array[] {
  const tensors: Record<string, RawTensor> = {
    w: { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    h: { dtype: 'F16', shape: [3], data: Uint16Array.from([0x3c00, 0xc000, 0x7bff]) },
    n: { dtype: 'I64', shape: [2], data: BigInt64Array.from([-5n, 7n]) },
    z: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    m: { dtype: 'U8', shape: [5], data: Uint8Array.from([1, 2, 3, 4, 5]) },
  };
  return [encodeSafetensors(tensors, { arch: 'mlp' }), encodeSafetensors({ b: tensors.m }), encodeSafetensors({})];
}

/** What an accepted file must satisfy, as a message naming the broken rule, or null. */
function brokenRule(bytes: Uint8Array): string | null {
  let content;
  try {
    content = decodeSafetensors(bytes, 'fuzz');
  } catch (e) {
    return e instanceof CheckpointError ? null : `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const dataLength = bytes.length - 8 - headerLength;
  const covered = Object.values(content.tensors).reduce(
    (sum, t) => sum + t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype],
    0,
  );
  if (covered !== dataLength) return `accepted, but its tensors cover ${covered} of ${dataLength} data bytes`;
  const again = decodeSafetensors(encodeSafetensors(content.tensors, content.metadata), 'again');
  if (JSON.stringify(Object.keys(again.tensors).sort()) !== JSON.stringify(Object.keys(content.tensors).sort()))
    return 'accepted, but does not round-trip';
  return null;
}

function mutate(file: Uint8Array, rng: Rng): Uint8Array {
  const bytes = file.slice();
  const kind = rng.int(6);
  const view = new DataView(bytes.buffer);
  const headerLength = Number(view.getBigUint64(0, true));
  if (kind === 0) {
    // Flip 1–3 random bits anywhere.
    for (let k = 0; k <= rng.int(3); k++) bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
    return bytes;
  }
  if (kind === 1) return bytes.slice(0, rng.int(bytes.length));
  if (kind === 2) {
    view.setBigUint64(0, BigInt(Math.max(0, headerLength + rng.int(41) - 20)), true);
    return bytes;
  }
  // Forge one digit or one dtype inside the header text (offsets, shapes, dtypes).
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
  const digits = [...header.matchAll(/\d/g)].map((m) => m.index as number);
  if (kind <= 4 && digits.length) {
    const at = 8 + digits[rng.int(digits.length)];
    bytes[at] = 0x30 + rng.int(10);
    return bytes;
  }
  const dtypes = [...header.matchAll(/"(F32|F16|BF16|I32|I64|U8|BOOL)"/g)];
  if (!dtypes.length) return bytes;
  const pick = dtypes[rng.int(dtypes.length)];
  const replacement = ['"F32"', '"F16"', '"I64"', '"U8"', '"BOOL"', '"F64"', '"Q7"'][rng.int(7)];
  const text = header.slice(0, pick.index) + replacement + header.slice((pick.index as number) + pick[0].length);
  const encoded = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + encoded.length + bytes.length - 8 - headerLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(encoded.length), true);
  out.set(encoded, 8);
  out.set(bytes.subarray(8 + headerLength), 8 + encoded.length);
  return out;
}

describe('safetensors reader under fuzzing', () => {
  it('refuses with its own error, or accepts only files that follow the format (6,000 seeded mutations and every truncation)', () => {
    const rng = new Rng(2024);
    const files = validFiles();
    let cases = 0;
    let accepted = 0;
    const failures: string[] = [];
    const check = (bytes: Uint8Array, what: string) => {
      cases++;
      const broken = brokenRule(bytes);
      if (broken) failures.push(`${what}: ${broken}`);
      else if (isAccepted(bytes)) accepted++;
    };
    for (const [f, file] of files.entries()) {
      for (let length = 0; length < file.length; length++)
        check(file.slice(0, length), `file ${f} cut to ${length} bytes`);
    }
    for (let k = 0; k < 6000; k++) {
      const f = rng.int(files.length);
      check(mutate(files[f], rng.fork(String(k))), `mutation ${k} of file ${f}`);
    }
    process.stdout.write(
      `safetensors fuzz: ${cases} cases, ${accepted} accepted as valid, ${failures.length} failures\n`,
    );
    expect(failures.slice(0, 5)).toEqual([]);
    expect(cases).toBeGreaterThan(6000);
  });
});

function isAccepted(bytes: Uint8Array): boolean {
  try {
    decodeSafetensors(bytes, 'fuzz');
    return true;
  } catch {
    return false;
  }
}
