import assert from 'node:assert/strict';
import { keyOf, objectKey, parseKey } from './keys.ts';
import { resourcePath } from './resource.ts';

describe('keys and paths', () => {
  it('makes namespace/name keys and parses them back', () => {
    assert.equal(objectKey({ metadata: { name: 'a', namespace: 'ns' } }), 'ns/a');
    assert.equal(objectKey({ metadata: { name: 'node-1' } }), 'node-1');
    assert.deepEqual(parseKey('ns/a'), { namespace: 'ns', name: 'a' });
    assert.deepEqual(parseKey('node-1'), { name: 'node-1' });
    assert.equal(keyOf(parseKey('ns/a')), 'ns/a');
    assert.throws(() => parseKey('a/b/c'), /invalid key "a\/b\/c"/);
    assert.throws(() => parseKey('/b'), /invalid key/);
    assert.throws(() => objectKey({ kind: 'Pod', metadata: {} }), /Pod without metadata.name/);
  });

  it('builds core and group paths, namespaced or across namespaces', () => {
    const pods = { group: '', version: 'v1', plural: 'pods', kind: 'Pod' };
    const runs = { group: 'nightshift.dev', version: 'v1alpha1', plural: 'storyruns', kind: 'StoryRun' };
    assert.equal(resourcePath(pods), '/api/v1/pods');
    assert.equal(resourcePath(pods, { namespace: 'a' }), '/api/v1/namespaces/a/pods');
    assert.equal(
      resourcePath(runs, { namespace: 'a', name: 'x', subresource: 'status' }),
      '/apis/nightshift.dev/v1alpha1/namespaces/a/storyruns/x/status',
    );
    assert.throws(() => resourcePath(runs, { subresource: 'status' }), /needs a name/);
  });
});
