import * as tf from '@tensorflow/tfjs';
import { type HostReads, readAsynchronously, readSynchronously } from '../params/host-reads';
import type { Params } from '../params/params';

/** Parameters as plain host arrays: what crosses into and out of a worker thread. */
export type HostParams = Record<
  string,
  { shape: number[]; dtype: 'float32' | 'int32'; data: Float32Array | Int32Array }
>;

/** Copies every tensor to the host (the tensors stay owned by the caller). */
export function paramsToHost(params: Params): HostParams {
  return readSynchronously(hostCopies(params));
}

/** `paramsToHost` reading asynchronously: for backends without synchronous reads (webgpu). */
export function paramsToHostAsync(params: Params): Promise<HostParams> {
  return readAsynchronously(hostCopies(params));
}

function* hostCopies(params: Params): HostReads<HostParams> {
  const out: HostParams = {};
  for (const [name, t] of Object.entries(params)) {
    const values = yield t;
    const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
    out[name] = {
      shape: [...t.shape],
      dtype,
      data: dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values),
    };
  }
  return out;
}

/** Tensors from host arrays; the caller owns them. */
export function paramsFromHost(host: HostParams): Params {
  const out: Params = {};
  for (const [name, { shape, dtype, data }] of Object.entries(host)) out[name] = tf.tensor(data, shape, dtype);
  return out;
}
