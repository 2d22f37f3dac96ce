import assert from 'node:assert/strict';
import { ownerAndRepo, resolvePullRequestTarget } from './target.ts';

describe('pull request target', () => {
  it('reads owner and repo from the usual git URLs', () => {
    assert.deepEqual(ownerAndRepo('https://github.com/acme/widgets.git'), {
      host: 'github.com',
      owner: 'acme',
      repo: 'widgets',
    });
    assert.deepEqual(ownerAndRepo('git@github.com:acme/widgets.git'), {
      host: 'github.com',
      owner: 'acme',
      repo: 'widgets',
    });
    assert.deepEqual(ownerAndRepo('ssh://git@ghe.acme.io/acme/widgets'), {
      host: 'ghe.acme.io',
      owner: 'acme',
      repo: 'widgets',
    });
    assert.equal(ownerAndRepo('/srv/git/widgets.git'), undefined, 'a path names no owner');
    assert.equal(ownerAndRepo('not a url'), undefined);
  });

  it('defaults to api.github.com for github.com and needs apiURL elsewhere', () => {
    assert.deepEqual(resolvePullRequestTarget({ url: 'https://github.com/acme/widgets.git', baseBranch: 'main' }), {
      apiURL: 'https://api.github.com',
      owner: 'acme',
      repo: 'widgets',
    });
    assert.equal(
      resolvePullRequestTarget({ url: 'https://ghe.acme.io/acme/widgets.git', baseBranch: 'main' }),
      undefined,
    );
    assert.deepEqual(
      resolvePullRequestTarget({
        url: 'https://ghe.acme.io/acme/widgets.git',
        baseBranch: 'main',
        pullRequests: { apiURL: 'https://ghe.acme.io/api/v3/' },
      }),
      { apiURL: 'https://ghe.acme.io/api/v3', owner: 'acme', repo: 'widgets' },
    );
  });

  it('prefers owner and repo from the spec', () => {
    const target = resolvePullRequestTarget({
      url: 'http://127.0.0.1:7080/git/demo/hello.git',
      baseBranch: 'main',
      pullRequests: { apiURL: 'http://127.0.0.1:7080/api/v3', owner: 'demo', repo: 'hello' },
    });
    assert.deepEqual(target, { apiURL: 'http://127.0.0.1:7080/api/v3', owner: 'demo', repo: 'hello' });
  });
});
