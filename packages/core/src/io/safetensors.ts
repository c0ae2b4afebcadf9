import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { CheckpointError } from '../errors/errors';
import type { Params } from '../params/params';
import { writeFileAtomic } from './atomic-write';
import { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from './half-float';

/**
 * safetensors (Hugging Face's format): an 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}`, then the
 * raw little-endian data, offsets relative to its start. Read as strictly as the format's
 * reference reader: every field is checked before any byte is read, and the tensors must cover
 * the data section exactly, in order, with no gap, overlap or trailing byte (which also catches a
 * header length that is off by a few bytes). A truncated file, a header that lies about sizes or
 * offsets, a duplicated key, a name JavaScript objects cannot hold (`__proto__`) or an unknown
 * dtype raise a CheckpointError naming the file and tensor.
 */

export type SafeDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64' | 'U8' | 'BOOL';

const BYTES: Record<SafeDtype, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8, U8: 1, BOOL: 1 };
/** Dtypes of the format that are recognised but not read here. */
const UNSUPPORTED = new Set([
  'F64',
  'I8',
  'I16',
  'U16',
  'U32',
  'U64',
  'F8_E4M3',
  'F8_E5M2',
  'C64',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'E8M0',
  'F8_E8M0',
]);
const MAX_HEADER = 100 * 1024 * 1024;

/** The typed array a safetensors tensor is read into, by dtype. */
export type RawData = Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array;

/** A tensor as stored in safetensors: dtype, shape and the raw data. */
export interface RawTensor {
  dtype: SafeDtype;
  shape: number[];
  /** F16/BF16 as raw Uint16 bit patterns; BOOL as Uint8 0/1. */
  data: RawData;
}

/** A decoded safetensors file: its tensors by name and its metadata. */
export interface SafetensorsContent {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
}

/**
 * The first key that occurs twice in the top-level object of valid JSON text, or undefined
 * (JSON.parse keeps the last of duplicates silently).
 */
function firstDuplicateKey(json: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (ch === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === '{' || ch === '[') {
      depth++;
      expectKey = depth === 1 && ch === '{';
    } else if (ch === '}' || ch === ']') {
      depth--;
    } else if (ch === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}

/**
 * Decodes safetensors bytes, as strictly as the format (see `readSafetensors`); `source` names the
 * file in errors.
 */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsContent {
  const fail = (msg: string): never => {
    throw new CheckpointError(`${source}: ${msg}`);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8))
    fail(`header claims ${headerLength} bytes but only ${bytes.length - 8} follow (truncated or not safetensors)`);
  if (headerLength > BigInt(MAX_HEADER)) fail(`header of ${headerLength} bytes exceeds the ${MAX_HEADER}-byte limit`);
  const n = Number(headerLength);
  let headerText = '';
  let header: unknown;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    header = JSON.parse(headerText);
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');
  const duplicate = firstDuplicateKey(headerText);
  if (duplicate !== undefined) fail(`header names '${duplicate}' twice`);
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  const tensors: Record<string, RawTensor> = {};

  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ value '${k}' is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const at = `tensor '${name}'`;
    if (name === '__proto__') fail(`${at}: this name cannot be a key of a JavaScript object`);
    if (entry === null || typeof entry !== 'object') fail(`${at}: entry is not an object`);
    const {
      dtype,
      shape,
      data_offsets: offsets,
    } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string') fail(`${at}: dtype is missing`);
    if (UNSUPPORTED.has(dtype as string))
      fail(`${at}: dtype ${String(dtype)} is not supported (F32, F16, BF16, I32, I64, U8, BOOL are)`);
    if (!((dtype as string) in BYTES)) fail(`${at}: unknown dtype '${String(dtype)}'`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`${at}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`${at}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`${at}: data_offsets [${begin}, ${end}] end before they begin`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const need = count * BYTES[dtype as SafeDtype];
    if (end - begin !== need)
      fail(
        `${at}: shape [${(shape as number[]).join(', ')}] of ${String(dtype)} needs ${need} bytes but data_offsets span ${end - begin}`,
      );
    if (end > dataLength)
      fail(
        `${at}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes): file truncated?`,
      );
    spans.push({ name, begin, end });
    // A copy, aligned at offset 0 (a Node Buffer's slice would share its pool and misalign).
    const slice = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end));
    tensors[name] = {
      dtype: dtype as SafeDtype,
      shape: (shape as number[]).slice(),
      data: typedView(dtype as SafeDtype, slice.buffer, count),
    };
  }
  // The tensors tile the data section: each begins where the one before it ends.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const span of spans) {
    if (span.begin < covered) fail(`tensors '${previous}' and '${span.name}' overlap in the data section`);
    if (span.begin > covered) {
      fail(`bytes ${covered}–${span.begin} of the data section belong to no tensor (before tensor '${span.name}')`);
    }
    covered = span.end;
    previous = span.name;
  }
  if (covered !== dataLength) {
    fail(
      `bytes ${covered}–${dataLength} of the data section belong to no tensor (trailing bytes, or a header length that is off)`,
    );
  }
  return { tensors, metadata };
}

function typedView(dtype: SafeDtype, buffer: ArrayBufferLike, count: number): RawData {
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer, 0, count);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buffer, 0, count);
    case 'I32':
      return new Int32Array(buffer, 0, count);
    case 'I64':
      return new BigInt64Array(buffer, 0, count);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buffer, 0, count);
  }
}

/** Encodes raw tensors and string metadata as safetensors bytes. */
export function encodeSafetensors(
  tensors: Record<string, RawTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count)
      throw new CheckpointError(`tensor '${name}': ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    const size = count * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of Object.values(tensors)) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/**
 * Reads a safetensors file as raw tensors and metadata; a CheckpointError naming the file for
 * anything the format does not allow.
 */
export function readSafetensors(file: string): SafetensorsContent {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new CheckpointError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeSafetensors(bytes, file);
}

/** Tensors as float32 (F32, F16, BF16) or int32 (I32, I64 in range, U8, BOOL) tf tensors. */
export function toParams(content: SafetensorsContent, source = 'checkpoint'): Params {
  const params: Params = {};
  for (const [name, t] of Object.entries(content.tensors)) {
    params[name] = tf.tensor(
      toTfValues(t, `${source}: tensor '${name}'`),
      t.shape,
      isFloat(t.dtype) ? 'float32' : 'int32',
    );
  }
  return params;
}

function isFloat(dtype: SafeDtype): boolean {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

function toTfValues(t: RawTensor, at: string): Float32Array | Int32Array {
  switch (t.dtype) {
    case 'F32':
      return t.data as Float32Array;
    case 'F16':
      return Float32Array.from(t.data as Uint16Array, f16BitsToFloat);
    case 'BF16':
      return Float32Array.from(t.data as Uint16Array, bf16BitsToFloat);
    case 'I32':
      return t.data as Int32Array;
    case 'I64': {
      const src = t.data as BigInt64Array;
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        if (src[i] > 2147483647n || src[i] < -2147483648n)
          throw new CheckpointError(`${at}: I64 value ${src[i]} does not fit in int32`);
        out[i] = Number(src[i]);
      }
      return out;
    }
    case 'U8':
    case 'BOOL':
      return Int32Array.from(t.data as Uint8Array);
  }
}

/** Params as safetensors entries: float tensors as `floatDtype` (F32 by default), int tensors as I32. */
export function fromParams(params: Params, floatDtype: 'F32' | 'F16' | 'BF16' = 'F32'): Record<string, RawTensor> {
  const out: Record<string, RawTensor> = {};
  for (const [name, t] of Object.entries(params)) {
    const values = t.dataSync();
    if (t.dtype === 'int32' || t.dtype === 'bool') {
      out[name] = { dtype: 'I32', shape: t.shape.slice(), data: Int32Array.from(values) };
    } else if (floatDtype === 'F32') {
      out[name] = { dtype: 'F32', shape: t.shape.slice(), data: Float32Array.from(values) };
    } else {
      const encode = floatDtype === 'F16' ? floatToF16Bits : floatToBf16Bits;
      out[name] = { dtype: floatDtype, shape: t.shape.slice(), data: Uint16Array.from(values, encode) };
    }
  }
  return out;
}

/**
 * Writes Params as a safetensors checkpoint, atomically, with string metadata.
 *
 * @param file the .safetensors file to write (its directory is created)
 * @param params the parameters: float tensors as F32, integer ones as I32
 * @param metadata string metadata stored beside the tensors
 * @example
 * ```ts
 * import { loadParams, saveParams, toyPerceptron } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * saveParams('/tmp/model.safetensors', toyPerceptron.init(config, 0), { note: 'seed 0' });
 * const { params, metadata } = loadParams('/tmp/model.safetensors');
 * console.log(Object.keys(params), metadata.note);
 * ```
 */
export function saveParams(file: string, params: Params, metadata: Record<string, string> = {}): void {
  writeFileAtomic(file, encodeSafetensors(fromParams(params), metadata));
}

/**
 * Reads a safetensors checkpoint as Params (float tensors as float32, integer ones as int32) and
 * its metadata.
 *
 * @param file the .safetensors file
 * @returns the parameters by name and the string metadata; a CheckpointError naming the file for anything the format does not allow
 * @example
 * ```ts
 * import { loadParams, shapesOf } from '@weightspace/core';
 * const { params } = loadParams('/tmp/model.safetensors');
 * console.log(shapesOf(params)); // { 'layers.0.weight': [12, 16], … }
 * ```
 */
export function loadParams(file: string): { params: Params; metadata: Record<string, string> } {
  const content = readSafetensors(file);
  return { params: toParams(content, file), metadata: content.metadata };
}
