import { rowKernels } from './row-kernels';
import { TestRandom } from './testing/test-random';

describe('row kernels (WebAssembly SIMD over float64 rows)', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const kernels = rowKernels(memory);
  // Lengths with every tail (0–3 entries past the last block of four), and an offset start.
  const lengths = [1, 2, 3, 4, 5, 7, 64, 67];
  const rows = (n: number, random: TestRandom) => {
    const x = new Float64Array(memory.buffer, 8, n);
    const y = new Float64Array(memory.buffer, 8 + n * 8, n);
    for (let k = 0; k < n; k++) [x[k], y[k]] = [random.normal(), random.normal()];
    return { x, y, xAt: 8, yAt: 8 + n * 8 };
  };

  it.each(lengths)('dot of %i entries equals the sum of products', (n) => {
    const { x, y, xAt, yAt } = rows(n, new TestRandom(n));
    const expected = x.reduce((total, v, k) => total + v * y[k], 0);
    expect(kernels.dot(xAt, yAt, n)).toBeCloseTo(expected, 12);
  });

  it.each(lengths)('rotate of %i entries applies the plane rotation to every pair and no entry beyond', (n) => {
    const { x, y, xAt, yAt } = rows(n, new TestRandom(100 + n));
    const [x0, y0] = [x.slice(), y.slice()];
    const after = new Float64Array(memory.buffer, 8 + 2 * n * 8, 1);
    after[0] = 42;
    const [c, s] = [Math.cos(0.3), Math.sin(0.3)];
    kernels.rotate(xAt, yAt, n, c, s);
    for (let k = 0; k < n; k++) {
      expect(x[k]).toBeCloseTo(c * x0[k] - s * y0[k], 14);
      expect(y[k]).toBeCloseTo(s * x0[k] + c * y0[k], 14);
    }
    expect(after[0]).toBe(42);
  });

  it.each(lengths)('axpy of %i entries adds the scaled row', (n) => {
    const { x, y, xAt, yAt } = rows(n, new TestRandom(200 + n));
    const y0 = y.slice();
    kernels.axpy(yAt, xAt, n, -2.5);
    for (let k = 0; k < n; k++) expect(y[k]).toBeCloseTo(y0[k] - 2.5 * x[k], 14);
  });
});
