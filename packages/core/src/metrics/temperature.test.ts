import { Rng } from '../random/rng';
import { crossEntropyAt, fitInverseTemperature } from './temperature';

describe('temperature calibration', () => {
  it('recovers the temperature that generated the labels', () => {
    // Labels drawn from softmax(β*·z): the maximum-likelihood β approaches β* with many samples.
    const rng = new Rng(3);
    const classes = 5;
    const n = 20000;
    const trueBeta = 2.5;
    const logits = new Float32Array(n * classes);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: classes }, () => rng.normal());
      z.forEach((v, c) => (logits[i * classes + c] = v));
      const w = z.map((v) => Math.exp(trueBeta * v));
      let u = rng.next() * w.reduce((a, b) => a + b, 0);
      let c = 0;
      while ((u -= w[c]) > 0) c++;
      labels[i] = c;
    }
    const { beta, loss } = fitInverseTemperature(logits, labels, classes);
    expect(beta).toBeGreaterThan(2.3);
    expect(beta).toBeLessThan(2.7);
    for (const other of [beta * 0.9, beta * 1.1, 1])
      expect(crossEntropyAt(logits, labels, classes, other)).toBeGreaterThan(loss);
  });

  it('scales up shrunken logits: halving the logits doubles the fitted β', () => {
    const rng = new Rng(4);
    const logits = Float32Array.from({ length: 3000 }, () => rng.normal() * 3);
    // Labels sampled from softmax(logits), so the fit is finite (argmax labels would send β to ∞).
    const labels = Int32Array.from({ length: 1000 }, (_, i) => {
      const w = [0, 1, 2].map((c) => Math.exp(logits[i * 3 + c]));
      let u = rng.next() * (w[0] + w[1] + w[2]);
      let c = 0;
      while ((u -= w[c]) > 0) c++;
      return c;
    });
    const full = fitInverseTemperature(logits, labels, 3);
    const half = fitInverseTemperature(
      logits.map((v) => v / 2),
      labels,
      3,
    );
    expect(half.beta / full.beta).toBeCloseTo(2, 2);
    expect(half.loss).toBeCloseTo(full.loss, 6);
  });
});
