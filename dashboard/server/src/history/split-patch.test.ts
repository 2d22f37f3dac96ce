import assert from 'node:assert/strict';
import { splitPatch } from './split-patch.ts';

describe('splitPatch', () => {
  it('splits a commit diff into one diff per file, by the new path', () => {
    const patch = [
      'diff --git a/NEW.md b/NEW.md',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/NEW.md',
      '@@ -0,0 +1 @@',
      '+new',
      'diff --git a/src/old.js b/src/renamed.js',
      'similarity index 90%',
      '+changed',
      '',
    ].join('\n');
    const files = splitPatch(patch);
    assert.deepEqual([...files.keys()], ['NEW.md', 'src/renamed.js']);
    assert.match(files.get('NEW.md')!, /^diff --git a\/NEW\.md b\/NEW\.md\n[\s\S]*\+new$/);
    assert.ok(!files.get('NEW.md')!.includes('renamed'), 'no part of the next file');
    assert.match(files.get('src/renamed.js')!, /\+changed$/);
  });

  it('has nothing for no diff', () => {
    assert.equal(splitPatch(undefined).size, 0);
    assert.equal(splitPatch('').size, 0);
  });
});
