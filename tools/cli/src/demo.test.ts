import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';

/**
 * `weightspace demo` (what `npm start` runs), on a budget: the demo's MNIST MLP, two epochs on the
 * first 12,000 training images, curves on 1,000 test images. Checks the report's structure and the
 * demo's claim, that weight matching lowers the barrier.
 */
describe('weightspace demo', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'ws-demo-')), 'demo');
  let code = -1;
  const printed: string[] = [];

  beforeAll(async () => {
    code = await runCli(['demo', '--epochs', '2', '--train-limit', '12000', '--test-limit', '1000', '--out', out], {
      print: (line) => printed.push(line),
      log: () => undefined,
      env: { WEIGHTSPACE_BACKEND: 'wasm' },
    });
  }, 300000);

  it('exits 0 and writes the report, the plot and both checkpoints', () => {
    expect(code).toBe(0);
    for (const file of [
      'report.json',
      'report.md',
      'curves.svg',
      'a.safetensors',
      'b.safetensors',
      'b_aligned.safetensors',
      'alignment.json',
    ]) {
      expect([file, existsSync(join(out, file))]).toEqual([file, true]);
    }
    expect(printed.join('\n')).toMatch(/MNIST MLP re-basin: mlp on mnist/);
  });

  it('reports the demo network, 25-point naive and aligned curves, and a lower aligned barrier', () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.arch).toBe('mlp');
    expect(report.config).toEqual({ input: 784, hidden: [512, 512, 512], classes: 10 });
    for (const curve of [report.curves.naive, report.curves.aligned]) {
      expect(curve.points).toHaveLength(25);
      expect(curve.points[0].t).toBe(0);
      expect(curve.points[24].t).toBe(1);
    }
    expect(report.endpoints.map((e: { testAccuracy: number }) => e.testAccuracy > 0.85)).toEqual([true, true]);
    expect(report.curves.naive.barriers.loss).toBeGreaterThan(0.3);
    expect(report.curves.aligned.barriers.loss).toBeLessThan(report.curves.naive.barriers.loss / 3);
  });
});
