import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuBackend } from '../backend/backend-provider';
import { CheckpointError } from '../errors/errors';
import { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from './half-float';
import { decodeSafetensors, encodeSafetensors, loadParams, type RawTensor, saveParams } from './safetensors';

/** A file laid out by hand the way the reference implementation writes it. */
function handMade(header: object, data: Uint8Array): Uint8Array {
  return rawHeader(JSON.stringify(header), data);
}

const f32Bytes = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

/** A file whose header is the given text, byte for byte (handMade cannot write duplicate keys). */
function rawHeader(text: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A valid file whose header is padded with spaces, with its header length reduced by `short` (into the padding). */
function headerLengthShort(short: number): Uint8Array {
  const header = `${JSON.stringify({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } })}       `;
  const bytes = rawHeader(header, f32Bytes([1, 2, 3, 4]));
  new DataView(bytes.buffer).setBigUint64(0, BigInt(new TextEncoder().encode(header).length - short), true);
  return bytes;
}

describe('safetensors', () => {
  beforeAll(() => cpuBackend.activate());

  it('reads a file laid out by hand', () => {
    const bytes = handMade(
      { __metadata__: { format: 'pt' }, w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } },
      f32Bytes([1, 2, 3, 4]),
    );
    const content = decodeSafetensors(bytes, 'hand.safetensors');
    expect(content.metadata).toEqual({ format: 'pt' });
    expect(content.tensors.w.shape).toEqual([2, 2]);
    expect(Array.from(content.tensors.w.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('round-trips every supported dtype', () => {
    const tensors: Record<string, RawTensor> = {
      f32: { dtype: 'F32', shape: [3], data: Float32Array.from([1.5, -2, 1e-8]) },
      f16: { dtype: 'F16', shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
      bf16: { dtype: 'BF16', shape: [2], data: Uint16Array.from([0x3f80, 0x4049]) },
      i32: { dtype: 'I32', shape: [2], data: Int32Array.from([-7, 2147483647]) },
      i64: { dtype: 'I64', shape: [2], data: BigInt64Array.from([-5n, 9007199254740993n]) },
      u8: { dtype: 'U8', shape: [3], data: Uint8Array.from([0, 128, 255]) },
      bool: { dtype: 'BOOL', shape: [2, 1], data: Uint8Array.from([1, 0]) },
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    };
    const bytes = encodeSafetensors(tensors, { note: 'x' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = decodeSafetensors(bytes, 'mem');
    expect(back.metadata).toEqual({ note: 'x' });
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name].dtype).toBe(t.dtype);
      expect(back.tensors[name].shape).toEqual(t.shape);
      expect(Array.from(back.tensors[name].data as ArrayLike<number | bigint>)).toEqual(
        Array.from(t.data as ArrayLike<number | bigint>),
      );
    }
  });

  it('loads F16, BF16, I64, U8 and BOOL into float32 and int32 tensors, with values known from their bit patterns', () => {
    // Little-endian bytes written out by hand; the expected values follow from IEEE 754 alone.
    const u16 = (...bits: number[]) => bits.flatMap((b) => [b & 0xff, b >> 8]);
    const i64 = (...values: bigint[]) =>
      values.flatMap((v) =>
        Array.from({ length: 8 }, (_, k) => Number((BigInt.asUintN(64, v) >> BigInt(8 * k)) & 0xffn)),
      );
    const columns = {
      // 1, −2, the largest finite −65504, the smallest subnormal 2⁻²⁴, +∞, 1/3 rounded (0x3555 = 1 + 341/1024, over 4).
      f16: {
        dtype: 'F16',
        shape: [6],
        bytes: u16(0x3c00, 0xc000, 0xfbff, 0x0001, 0x7c00, 0x3555),
        expect: [1, -2, -65504, 2 ** -24, Infinity, (1 + 341 / 1024) / 4],
      },
      // 1, 3.140625 (0x4049: 1.5703125·2), −123.5 (0xc2f7), the smallest subnormal 2⁻¹³³.
      bf16: {
        dtype: 'BF16',
        shape: [2, 2],
        bytes: u16(0x3f80, 0x4049, 0xc2f7, 0x0001),
        expect: [1, 3.140625, -123.5, 2 ** -133],
      },
      i64: {
        dtype: 'I64',
        shape: [3],
        bytes: i64(-5n, 2147483647n, -2147483648n),
        expect: [-5, 2147483647, -2147483648],
      },
      u8: { dtype: 'U8', shape: [3], bytes: [0, 128, 255], expect: [0, 128, 255] },
      bool: { dtype: 'BOOL', shape: [2], bytes: [1, 0], expect: [1, 0] },
    };
    let offset = 0;
    const header: Record<string, object> = {};
    const data: number[] = [];
    for (const [name, c] of Object.entries(columns)) {
      header[name] = { dtype: c.dtype, shape: c.shape, data_offsets: [offset, offset + c.bytes.length] };
      offset += c.bytes.length;
      data.push(...c.bytes);
    }
    const file = join(mkdtempSync(join(tmpdir(), 'st-')), 'mixed.safetensors');
    writeFileSync(file, handMade(header, Uint8Array.from(data)));
    const { params } = loadParams(file);
    for (const [name, c] of Object.entries(columns)) {
      expect([name, params[name].dtype, params[name].shape]).toEqual([
        name,
        ['F16', 'BF16'].includes(c.dtype) ? 'float32' : 'int32',
        c.shape,
      ]);
      expect([name, Array.from(params[name].dataSync())]).toEqual([name, c.expect]);
    }
  });

  it('saves and loads Params atomically, float as F32 and int as I32', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const file = join(dir, 'sub', 'model.safetensors');
    const w = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const n = tf.tensor1d([3], 'int32');
    saveParams(file, { 'layers.0.weight': w, steps: n }, { arch: 'mlp' });
    const { params, metadata } = loadParams(file);
    expect(metadata).toEqual({ arch: 'mlp' });
    expect(params['layers.0.weight'].shape).toEqual([2, 3]);
    expect(Array.from(params['layers.0.weight'].dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(params.steps.dtype).toBe('int32');
  });

  describe('rejects damaged files with a message naming the fault', () => {
    const good = () =>
      handMade(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        f32Bytes([1, 2, 3]),
      );
    const cases: Array<[string, () => Uint8Array, RegExp]> = [
      ['an empty file', () => new Uint8Array(3), /3 bytes, too short/],
      [
        'a truncated file',
        () => good().subarray(0, good().length - 2),
        /tensor 'b': data_offsets \[8, 12\] run past the end of the data \(10 bytes\)/,
      ],
      [
        'a header length larger than the file',
        () => {
          const bytes = good();
          new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true);
          return bytes;
        },
        /header claims 1099511627776 bytes/,
      ],
      [
        'a header that is not JSON',
        () => handMade({}, new Uint8Array(0)).map((v, i) => (i === 8 ? 0x7b + 1 : v)),
        /not valid UTF-8 JSON/,
      ],
      [
        'a header that is an array',
        () => {
          const json = new TextEncoder().encode('[1]');
          const out = new Uint8Array(8 + json.length);
          new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
          out.set(json, 8);
          return out;
        },
        /not a JSON object/,
      ],
      [
        'an unknown dtype',
        () => handMade({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, f32Bytes([1])),
        /tensor 'a': unknown dtype 'Q7'/,
      ],
      [
        'a known but unsupported dtype',
        () => handMade({ a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
        /dtype F64 is not supported/,
      ],
      [
        'a shape that disagrees with the offsets',
        () => handMade({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32Bytes([1, 2])),
        /shape \[3\] of F32 needs 12 bytes but data_offsets span 8/,
      ],
      [
        'negative or fractional shape entries',
        () => handMade({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32Bytes([1])),
        /not a list of non-negative integers/,
      ],
      [
        'offsets that end before they begin',
        () => handMade({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32Bytes([1])),
        /end before they begin/,
      ],
      [
        'overlapping tensors',
        () =>
          handMade(
            {
              a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
              b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
            },
            f32Bytes([1, 2, 3]),
          ),
        /'a' and 'b' overlap/,
      ],
      [
        'non-string metadata',
        () => handMade({ __metadata__: { n: 1 } }, new Uint8Array(0)),
        /__metadata__ value 'n' is not a string/,
      ],
      [
        'a header length 1 byte short (into the padding)',
        () => headerLengthShort(1),
        /bytes 16–17 of the data section belong to no tensor \(trailing bytes, or a header length that is off\)/,
      ],
      [
        'a header length 2 bytes short (into the padding)',
        () => headerLengthShort(2),
        /bytes 16–18 of the data section belong to no tensor/,
      ],
      [
        'a gap between tensors',
        () =>
          handMade(
            {
              a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
              b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
            },
            f32Bytes([1, 2, 3]),
          ),
        /bytes 4–8 of the data section belong to no tensor \(before tensor 'b'\)/,
      ],
      [
        'trailing bytes after the last tensor',
        () => handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32Bytes([1, 2])),
        /bytes 4–8 of the data section belong to no tensor/,
      ],
      [
        'an overlap hidden by a zero-size tensor between the two',
        () =>
          handMade(
            {
              a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
              z: { dtype: 'F32', shape: [0], data_offsets: [4, 4] },
              c: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
            },
            f32Bytes([1, 2, 3, 4]),
          ),
        /overlap in the data section/,
      ],
      [
        'a duplicated tensor key',
        () =>
          rawHeader(
            '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
            f32Bytes([1]),
          ),
        /header names 'a' twice/,
      ],
      [
        'a tensor named __proto__',
        () => rawHeader('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32Bytes([1])),
        /tensor '__proto__': this name cannot be a key/,
      ],
    ];
    it.each(cases)('%s', (_what, make, message) => {
      expect(() => decodeSafetensors(make(), 'bad.safetensors')).toThrow(CheckpointError);
      expect(() => decodeSafetensors(make(), 'bad.safetensors')).toThrow(message);
      expect(() => decodeSafetensors(make(), 'bad.safetensors')).toThrow(/^bad\.safetensors: /);
    });

    it('an I64 value that does not fit int32, when converted to a tensor', () => {
      const bytes = encodeSafetensors({ big: { dtype: 'I64', shape: [1], data: BigInt64Array.from([1n << 40n]) } });
      const file = join(mkdtempSync(join(tmpdir(), 'st-')), 'big.safetensors');
      writeFileSync(file, bytes);
      expect(() => loadParams(file)).toThrow(
        /big\.safetensors: tensor 'big': I64 value 1099511627776 does not fit in int32/,
      );
    });

    it('a missing file', () => {
      expect(() => loadParams('/nonexistent/x.safetensors')).toThrow(
        /\/nonexistent\/x\.safetensors: cannot read \(ENOENT\)/,
      );
    });
  });

  it('leaves no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    saveParams(join(dir, 'm.safetensors'), { a: tf.tensor1d([1]) });
    expect(require('node:fs').readdirSync(dir)).toEqual(['m.safetensors']);
    expect(readFileSync(join(dir, 'm.safetensors')).length).toBeGreaterThan(8);
  });
});

describe('half floats', () => {
  it('converts known F16 and BF16 values both ways', () => {
    const f16: Array<[number, number]> = [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [2 ** -24, 0x0001],
      [0, 0],
      [Infinity, 0x7c00],
    ];
    for (const [v, bits] of f16) {
      expect(floatToF16Bits(v)).toBe(bits);
      expect(f16BitsToFloat(bits)).toBe(v);
    }
    expect(floatToF16Bits(1e6)).toBe(0x7c00);
    expect(Number.isNaN(f16BitsToFloat(floatToF16Bits(NaN)))).toBe(true);
    const bf16: Array<[number, number]> = [
      [1, 0x3f80],
      [-2, 0xc000],
      [3.140625, 0x4049],
    ];
    for (const [v, bits] of bf16) {
      expect(floatToBf16Bits(v)).toBe(bits);
      expect(bf16BitsToFloat(bits)).toBe(v);
    }
  });

  it('rounds to nearest with ties to even', () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10 in F16: ties go to the even mantissa (1).
    expect(floatToF16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    for (let i = 0; i < 200; i++) {
      const v = (i - 100) * 0.37;
      expect(Math.abs(f16BitsToFloat(floatToF16Bits(v)) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 1e-12);
    }
  });
});
