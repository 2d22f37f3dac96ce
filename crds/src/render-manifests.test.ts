import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { MANIFEST_DIRS, renderManifests } from './render-manifests.ts';

describe('generated CRD manifests', () => {
  for (const dir of MANIFEST_DIRS) {
    for (const { fileName, yaml } of renderManifests()) {
      it(`${dir}/${fileName} is up to date with the zod schemas (run: npm run generate -w crds)`, () => {
        const committed = readFileSync(new URL(`../../${dir}/${fileName}`, import.meta.url), 'utf8');
        assert.equal(committed, yaml);
      });
    }
  }

  it('puts all three kinds in the nightshift category with status subresources', () => {
    const crds = renderManifests().map(({ yaml }) => parse(yaml));
    assert.deepEqual(crds.map((c) => c.spec.names.kind).sort(), ['Budget', 'StoryRun', 'WorkQueue']);
    for (const crd of crds) {
      assert.deepEqual(crd.spec.names.categories, ['nightshift']);
      assert.deepEqual(crd.spec.versions[0].subresources, { status: {} });
    }
  });

  it('carries defaults and CEL rules into the StoryRun schema', () => {
    const storyRun = renderManifests()
      .map(({ yaml }) => parse(yaml))
      .find((c) => c.spec.names.kind === 'StoryRun');
    const spec = storyRun.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    assert.equal(spec.properties.confidenceThreshold.default, 0.8);
    assert.equal(spec.properties.pauseMode.default, 'Graceful');
    const rules = spec['x-kubernetes-validations'].map((v: { message: string }) => v.message);
    assert.ok(rules.includes('confidenceThreshold must be within 0..1'));
    assert.deepEqual(spec.properties.decisions['x-kubernetes-list-map-keys'], ['id']);
  });
});
