import { SpecError } from '../errors/errors';
import type { SymmetrySpec } from './spec';
import { validateSpec } from './validate';

const mlpLike = (): SymmetrySpec => ({
  groups: { h0: { kind: 'permutation', size: 4 } },
  axes: {
    'layers.0.weight': [[{ group: 'h0', as: 'g' }], null],
    'layers.0.bias': [[{ group: 'h0', as: 'g' }]],
    'layers.1.weight': [null, [{ group: 'h0', as: 'inverse' }]],
  },
});
const shapes = { 'layers.0.weight': [4, 3], 'layers.0.bias': [4], 'layers.1.weight': [2, 4] };

describe('validateSpec', () => {
  it('accepts a spec that fits the shapes', () => {
    expect(() => validateSpec(mlpLike(), shapes)).not.toThrow();
  });

  it('names the parameter and axis whose size does not fit', () => {
    const bad = { ...shapes, 'layers.1.weight': [2, 5] };
    expect(() => validateSpec(mlpLike(), bad, 'mlp')).toThrow(SpecError);
    expect(() => validateSpec(mlpLike(), bad, 'mlp')).toThrow(
      /mlp: parameter 'layers\.1\.weight' axis 1 \(size 5\).*'h0'.*size 4/,
    );
  });

  it('names a parameter the spec forgot and one the model lacks', () => {
    expect(() => validateSpec(mlpLike(), { ...shapes, extra: [1] })).toThrow(/'extra' has no entry/);
    const { ['layers.0.bias']: _dropped, ...fewer } = shapes;
    expect(() => validateSpec(mlpLike(), fewer)).toThrow(
      /names parameter 'layers\.0\.bias', which the model does not have/,
    );
  });

  it('rejects a wrong number of axes, an undeclared group and an unknown action', () => {
    const spec = mlpLike();
    expect(() => validateSpec({ ...spec, axes: { ...spec.axes, 'layers.0.bias': [null, null] } }, shapes)).toThrow(
      /has 1 axes \[4\] but the spec lists 2/,
    );
    expect(() =>
      validateSpec({ ...spec, axes: { ...spec.axes, 'layers.0.bias': [[{ group: 'h9', as: 'g' }]] } }, shapes),
    ).toThrow(/axis 0 .*group 'h9' is not declared/);
    const weird = {
      ...spec,
      axes: { ...spec.axes, 'layers.0.bias': [[{ group: 'h0', as: 'sideways' }]] },
    } as unknown as SymmetrySpec;
    expect(() => validateSpec(weird, shapes)).toThrow(/action 'sideways'/);
  });

  it('checks group declarations: sizes, block sizes, batching', () => {
    const base = mlpLike();
    expect(() => validateSpec({ ...base, groups: { h0: { kind: 'permutation', size: 0 } } }, shapes)).toThrow(/size 0/);
    expect(() =>
      // As read from JSON: the type would not allow a block-permutation without its block size.
      validateSpec(
        { ...base, groups: { ...base.groups, b: JSON.parse('{"kind": "block-permutation", "size": 2}') } },
        shapes,
      ),
    ).toThrow(/blockSize/);
    expect(() =>
      validateSpec(
        { ...base, groups: { ...base.groups, q: { kind: 'orthogonal', size: 2, batchedOver: 'nope' } } },
        shapes,
      ),
    ).toThrow(/batched over 'nope', which is not declared/);
    expect(() =>
      validateSpec(
        {
          ...base,
          groups: {
            ...base.groups,
            o: { kind: 'orthogonal', size: 2 },
            q: { kind: 'orthogonal', size: 2, batchedOver: 'o' },
          },
        },
        shapes,
      ),
    ).toThrow(/orthogonal group, not a permutation/);
  });

  it('checks the axis sizes of block and batched groups', () => {
    const spec: SymmetrySpec = {
      groups: {
        heads: { kind: 'block-permutation', size: 3, blockSize: 2 },
        qk: { kind: 'invertible', size: 2, batchedOver: 'heads' },
      },
      axes: {
        q: [
          [
            { group: 'heads', as: 'g' },
            { group: 'qk', as: 'g' },
          ],
          null,
        ],
      },
    };
    expect(() => validateSpec(spec, { q: [6, 4] })).not.toThrow();
    expect(() => validateSpec(spec, { q: [7, 4] })).toThrow(/parameter 'q' axis 0 \(size 7\)/);
    const separate: SymmetrySpec = {
      groups: {
        experts: { kind: 'permutation', size: 3 },
        hidden: { kind: 'permutation', size: 5, batchedOver: 'experts' },
      },
      axes: { w: [null, [{ group: 'hidden', as: 'g' }]] },
    };
    expect(() => validateSpec(separate, { w: [3, 5] })).toThrow(/no axis of size 3 of 'w' carries 'experts'/);
  });

  it('checks segments of an axis: each segment sized for its groups, the axis cut evenly', () => {
    const heads = (index: number) => [
      { group: 'heads', as: 'g' as const, segment: { index, of: 3 } },
      { group: 'qk', as: 'g' as const, segment: { index, of: 3 } },
    ];
    const spec: SymmetrySpec = {
      groups: {
        heads: { kind: 'block-permutation', size: 2, blockSize: 4 },
        qk: { kind: 'invertible', size: 4, batchedOver: 'heads' },
      },
      axes: { qkv: [[...heads(0), ...heads(1)], null] },
    };
    expect(() => validateSpec(spec, { qkv: [24, 8] })).not.toThrow();
    expect(() => validateSpec(spec, { qkv: [25, 8] })).toThrow(
      /parameter 'qkv' axis 0 segment 0 of 3 \(size 25\): the axis cannot be cut into 3 equal segments/,
    );
    expect(() => validateSpec(spec, { qkv: [30, 8] })).toThrow(/segment 0 of 3 \(size 30\).*needs 2 or 8 entries/);
    const outside = {
      ...spec,
      axes: { qkv: [[{ group: 'heads', as: 'g' as const, segment: { index: 3, of: 3 } }], null] },
    };
    expect(() => validateSpec(outside, { qkv: [24, 8] })).toThrow(/take segment 3/);
  });
});
