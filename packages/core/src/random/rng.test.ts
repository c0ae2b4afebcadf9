import { Rng, hashString } from './rng';

describe('Rng', () => {
  it('is a pure function of the seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 100 }, () => a.next());
    const ys = Array.from({ length: 100 }, () => b.next());
    expect(xs).toEqual(ys);
    expect(new Rng(43).next()).not.toEqual(xs[0]);
  });

  it('forks streams by label, independent of how much the parent was used', () => {
    const fresh = new Rng(7).fork('layers.0');
    const used = new Rng(7);
    for (let i = 0; i < 50; i++) used.next();
    expect(used.fork('layers.0').next()).toEqual(fresh.next());
    expect(new Rng(7).fork('layers.1').next()).not.toEqual(new Rng(7).fork('layers.0').next());
  });

  it('draws uniforms in [0,1) and normals with the right moments', () => {
    const rng = new Rng(1);
    const n = 20000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.05);
  });

  it('makes permutations that contain every index once', () => {
    const p = Array.from(new Rng(3).permutation(257));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 257 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 257 }, (_, i) => i));
  });

  it('hashes strings stably', () => {
    expect(hashString('a')).toBe(0xe40c292c);
    expect(hashString('')).toBe(0x811c9dc5);
  });
});
