import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { isUrgentChange } from './urgent.ts';

const sr = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
  ({
    apiVersion: 'nightshift.dev/v1alpha1',
    kind: 'StoryRun',
    metadata: { name: 's', ...metadata },
    spec,
  }) as KubernetesObject;

describe('isUrgentChange', () => {
  const base = { priority: 0, paused: false, pauseMode: 'Graceful', abort: { requested: false }, decisions: [] };
  const cases: [string, { type: string; object: KubernetesObject; old?: KubernetesObject }, boolean][] = [
    ['a pause', { type: 'update', old: sr(base), object: sr({ ...base, paused: true }) }, true],
    [
      'an immediate pause mode',
      { type: 'update', old: sr(base), object: sr({ ...base, pauseMode: 'Immediate' }) },
      true,
    ],
    ['an abort', { type: 'update', old: sr(base), object: sr({ ...base, abort: { requested: true } }) }, true],
    [
      'an answer',
      { type: 'update', old: sr(base), object: sr({ ...base, decisions: [{ id: 'd', choice: 'a' }] }) },
      true,
    ],
    [
      'a deletion',
      { type: 'update', old: sr(base), object: sr(base, { deletionTimestamp: '2026-12-02T00:00:00Z' }) },
      true,
    ],
    [
      'a new priority (admission order, not a stop)',
      { type: 'update', old: sr(base), object: sr({ ...base, priority: 5 }) },
      false,
    ],
    [
      'a status write (same spec)',
      { type: 'update', old: sr(base), object: sr(base, { resourceVersion: '2' }) },
      false,
    ],
    ['a new StoryRun', { type: 'add', object: sr(base) }, false],
    ['a resync', { type: 'resync', object: sr(base) }, false],
  ];
  for (const [name, event, urgent] of cases)
    it(`${name}: ${urgent ? 'urgent' : 'ordinary'}`, () => {
      assert.equal(isUrgentChange(event), urgent);
    });
});
