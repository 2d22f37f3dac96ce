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

  it('describes every field of spec and status, so kubectl explain never prints <no description>', () => {
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      if (!node.description) missing.push(path);
      for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        walk(child, `${path}.${name}`);
      }
      // A list's or a map's items are described by the field that holds them (kubectl explain shows that one).
      const items = (node.items ?? node.additionalProperties) as Record<string, unknown> | undefined;
      if (items && typeof items === 'object' && items.properties) {
        for (const [name, child] of Object.entries(items.properties as Record<string, Record<string, unknown>>)) {
          walk(child, `${path}[].${name}`);
        }
      }
    };
    for (const crd of renderManifests().map(({ yaml }) => parse(yaml))) {
      const root = crd.spec.versions[0].schema.openAPIV3Schema;
      for (const part of ['spec', 'status']) walk(root.properties[part], `${crd.spec.names.kind}.${part}`);
    }
    assert.deepEqual(missing, [], `fields without a description (add .meta({ description }) in crds/src)`);
  });
});
