import { geluKernels } from './gelu-kernels';

/** Φ(x) in float64: ½ + ∫₀ˣ φ by Simpson's rule on 2,000 intervals (error far below float32's). */
function normalCdf(x: number): number {
  const intervals = 2000;
  const h = x / intervals;
  let sum = 0;
  for (let i = 0; i <= intervals; i++) {
    const t = i * h;
    const weight = i === 0 || i === intervals ? 1 : i % 2 ? 4 : 2;
    sum += weight * Math.exp((-t * t) / 2);
  }
  return 0.5 + (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}

const density = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);

describe('GELU kernels', () => {
  // x from −14 to 14 in irregular steps (both tails, where e^(−x²/2) underflows, and 0), 1,003
  // entries: a multiple of 4 plus a tail of 3, placed after an odd offset of 8 bytes.
  const n = 1003;
  const xs = Array.from({ length: n }, (_, i) => -14 + (28 * i) / (n - 1) + 0.001 * Math.sin(i));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const kernels = geluKernels(memory);
  const f32 = new Float32Array(memory.buffer);
  const [xAt, dyAt, outAt] = [8, 8 + 4 * n, 8 + 8 * n];
  f32.set(xs, xAt / 4);
  const dys = xs.map((_, i) => Math.cos(i));
  f32.set(dys, dyAt / 4);
  const x32 = Array.from(f32.subarray(xAt / 4, xAt / 4 + n));

  it('gelu is x·Φ(x) to within 1e-6·max(1, |x|), with no write past its output', () => {
    f32[outAt / 4 + n] = 42;
    kernels.gelu(xAt, outAt, n);
    const y = f32.subarray(outAt / 4, outAt / 4 + n);
    x32.forEach((x, i) => expect(Math.abs(y[i] - x * normalCdf(x))).toBeLessThan(1e-6 * Math.max(1, Math.abs(x))));
    expect(f32[outAt / 4 + n]).toBe(42);
    // The far tails: exactly x above, and below, a number too small to matter (x·Φ(x) ≈ −1e-43).
    expect(y[n - 1]).toBe(x32[n - 1]);
    expect(Math.abs(y[0])).toBeLessThan(1e-30);
  });

  it('geluGrad is dy·(Φ(x) + x·φ(x)) to within 1e-6, tails included', () => {
    kernels.geluGrad(xAt, dyAt, outAt, n);
    const dx = f32.subarray(outAt / 4, outAt / 4 + n);
    const dy32 = f32.subarray(dyAt / 4, dyAt / 4 + n);
    x32.forEach((x, i) => {
      const expected = dy32[i] * (normalCdf(x) + x * density(x));
      expect(Math.abs(dx[i] - expected)).toBeLessThan(1e-6);
    });
  });

  it('handles lengths below one vector (the scalar tail alone) and zero', () => {
    for (const count of [0, 1, 2, 3]) {
      f32.fill(7, outAt / 4, outAt / 4 + 4);
      kernels.gelu(xAt, outAt, count);
      for (let i = 0; i < 4; i++) {
        const y = f32[outAt / 4 + i];
        if (i < count) expect(Math.abs(y - x32[i] * normalCdf(x32[i]))).toBeLessThan(1e-5);
        else expect(y).toBe(7);
      }
    }
  });
});
