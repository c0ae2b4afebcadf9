import { encodeModule, f64Type, i32Type, op } from './encoder';
import { countUp, fourThenOne, Locals } from './loops';

/** Instantiates an encoded module with the given memory; returns its exports. */
function instantiate(bytes: Uint8Array, memory = new WebAssembly.Memory({ initial: 1 })): Record<string, unknown> {
  expect(WebAssembly.validate(bytes)).toBe(true);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
}

describe('encodeModule', () => {
  it('writes a valid module whose function computes what its body says', () => {
    // f(a, b, c) = a + b − c
    const bytes = encodeModule([
      {
        name: 'f',
        parameters: [f64Type, f64Type, f64Type],
        result: f64Type,
        locals: [],
        body: [op.get(0), op.get(1), op.f64Add(), op.get(2), op.f64Sub()],
      },
    ]);
    const f = instantiate(bytes).f as (a: number, b: number, c: number) => number;
    expect(f(3, 4, 0.5)).toBe(6.5);
    expect(f(-1.25, 8, 10)).toBe(-3.25);
  });

  it('fourThenOne visits every entry once, four at a time and then one by one', () => {
    // sum(pointer, count): the float64 entries at pointer, 2⁰ + 2¹ + … so that any entry read
    // twice or skipped shows in the total; the four-entry block reads at offsets 0, 8, 16, 24.
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Float64Array(memory.buffer).set(Array.from({ length: 11 }, (_, i) => 2 ** i));
    const [pointer, count, j, total] = [0, 1, 2, 3];
    const add = (offset: number) => [op.get(total), op.get(pointer), op.f64Load(offset), op.f64Add(), op.set(total)];
    const bytes = encodeModule([
      {
        name: 'sum',
        parameters: [i32Type, i32Type],
        result: f64Type,
        locals: [i32Type, f64Type],
        body: [fourThenOne(j, count, [0, 8, 16, 24].map(add), add(0), [pointer], 8), op.get(total)],
      },
    ]);
    const sum = instantiate(bytes, memory).sum as (pointer: number, count: number) => number;
    for (const n of [0, 1, 3, 4, 5, 8, 11]) expect(sum(0, n)).toBe(2 ** n - 1);
  });

  it('countUp runs its body for 0 … n − 1, and Locals numbers locals after the parameters', () => {
    // triangle(n) = Σ_{i<n} i, its two locals handed out by Locals.
    const n = 0;
    const locals = new Locals(1);
    const [i, total] = [locals.add(i32Type), locals.add(i32Type)];
    expect([i, total]).toEqual([1, 2]);
    const bytes = encodeModule([
      {
        name: 'triangle',
        parameters: [i32Type],
        result: i32Type,
        locals: locals.types,
        body: [countUp(i, n, [op.get(total), op.get(i), op.add(), op.set(total)]), op.get(total)],
      },
    ]);
    const triangle = instantiate(bytes).triangle as (n: number) => number;
    for (const count of [0, 1, 2, 7]) expect(triangle(count)).toBe(count ? (count * (count - 1)) / 2 : 0);
  });
});
