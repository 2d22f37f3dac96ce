import assert from 'node:assert/strict';
import { z } from 'zod';
import { toStructuralSchema } from './structural-schema.ts';

describe('toStructuralSchema', () => {
  it('types every node and drops what Kubernetes refuses', () => {
    const schema = toStructuralSchema(
      z.object({ when: z.iso.datetime(), count: z.int(), tags: z.record(z.string(), z.string()) }),
    );
    assert.equal(schema.additionalProperties, undefined);
    const props = schema.properties as Record<string, Record<string, unknown>>;
    assert.equal(props.when!.format, 'date-time');
    assert.equal(props.when!.pattern, undefined, 'JavaScript regexes are not RE2; the format says enough');
    assert.equal(props.count!.minimum, undefined);
    assert.equal(props.count!.format, 'int64');
    assert.deepEqual(props.tags!.additionalProperties, { type: 'string' });
  });

  it('refuses unions, which have no structural form', () => {
    assert.throws(
      () => toStructuralSchema(z.object({ x: z.union([z.string(), z.number()]) })),
      /anyOf is not supported/,
    );
  });

  it('keeps metadata such as CEL rules', () => {
    const schema = toStructuralSchema(
      z.object({ a: z.string() }).meta({ 'x-kubernetes-validations': [{ rule: 'true' }] }),
    );
    assert.deepEqual(schema['x-kubernetes-validations'], [{ rule: 'true' }]);
  });
});
