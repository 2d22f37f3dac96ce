import assert from 'node:assert/strict';
import type { RateLimiter } from './backoff.ts';
import type { Clock } from './clock.ts';
import { WorkQueue } from './work-queue.ts';

/** A clock that only moves when told to, firing due timers in order. */
class ManualClock implements Clock {
  private time = 0;
  private nextId = 0;
  private timers: { id: number; at: number; callback: () => void }[] = [];
  now() {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number) {
    const id = ++this.nextId;
    this.timers.push({ id, at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  get pending() {
    return this.timers.length;
  }
  advance(ms: number) {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = target;
  }
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Records what was processed; each call waits until the test releases it. */
function recorder() {
  const calls: string[] = [];
  const active = new Set<string>();
  let maxActive = 0;
  const concurrentKeys: string[] = [];
  const gates: { key: string; gate: ReturnType<typeof deferred> }[] = [];
  const process = async (key: string) => {
    if (active.has(key)) concurrentKeys.push(key);
    active.add(key);
    maxActive = Math.max(maxActive, active.size);
    calls.push(key);
    const gate = deferred();
    gates.push({ key, gate });
    try {
      await gate.promise;
    } finally {
      active.delete(key);
    }
  };
  const release = async (key: string, error?: Error) => {
    const index = gates.findIndex((g) => g.key === key);
    assert.ok(index >= 0, `${key} is not in process`);
    const { gate } = gates.splice(index, 1)[0]!;
    if (error) gate.reject(error);
    else gate.resolve();
    await settle();
  };
  return {
    calls,
    process,
    release,
    get maxActive() {
      return maxActive;
    },
    concurrentKeys,
    inProcess: () => gates.map((g) => g.key),
  };
}

describe('WorkQueue', () => {
  it('processes a key added twice before a worker takes it once', async () => {
    const queue = new WorkQueue();
    const r = recorder();
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    assert.equal(queue.depth, 2);
    queue.start(r.process);
    await settle();
    await r.release('ns/a');
    await r.release('ns/b');
    assert.deepEqual(r.calls, ['ns/a', 'ns/b']);
    assert.equal(queue.depth, 0);
  });

  it('never processes one key concurrently: a key re-added in process runs once more afterwards', async () => {
    const queue = new WorkQueue({ workers: 4 });
    const r = recorder();
    queue.start(r.process);
    queue.add('ns/a');
    await settle();
    assert.deepEqual(r.inProcess(), ['ns/a']);
    queue.add('ns/a');
    queue.add('ns/a');
    await settle();
    assert.deepEqual(r.inProcess(), ['ns/a'], 'the second add waits although three workers are idle');
    await r.release('ns/a');
    assert.deepEqual(r.inProcess(), ['ns/a'], 'the re-added key runs again after the first run');
    await r.release('ns/a');
    assert.deepEqual(r.calls, ['ns/a', 'ns/a'], 'two adds during processing coalesce into one more run');
    assert.deepEqual(r.concurrentKeys, []);
  });

  it('processes different keys in parallel up to the number of workers, in arrival order', async () => {
    const queue = new WorkQueue({ workers: 2 });
    const r = recorder();
    queue.start(r.process);
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.add(key);
    await settle();
    assert.deepEqual(r.inProcess(), ['a', 'b']);
    assert.equal(queue.depth, 3);
    await r.release('b');
    assert.deepEqual(r.inProcess(), ['a', 'c']);
    await r.release('a');
    await r.release('c');
    await r.release('d');
    await r.release('e');
    assert.deepEqual(r.calls, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(r.maxActive, 2);
  });

  it('hands an urgent key to the next free worker ahead of a backlog, once', async () => {
    const queue = new WorkQueue({ workers: 1 });
    const r = recorder();
    queue.start(r.process);
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    await settle();
    assert.deepEqual(r.inProcess(), ['a']);
    queue.add('pause-me', { urgent: true });
    queue.add('pause-me', { urgent: true });
    queue.add('pause-me');
    assert.equal(queue.depth, 4, 'b, c, d and the urgent key, which waits once');
    await r.release('a');
    assert.deepEqual(r.inProcess(), ['pause-me'], 'ahead of b, c and d');
    for (const key of ['pause-me', 'b', 'c', 'd']) await r.release(key);
    assert.deepEqual(r.calls, ['a', 'pause-me', 'b', 'c', 'd']);
  });

  it('moves a waiting ordinary key up when it is added as urgent, and keeps urgency for a key re-added in process', async () => {
    const queue = new WorkQueue({ workers: 1 });
    const r = recorder();
    queue.start(r.process);
    for (const key of ['a', 'b', 'c']) queue.add(key);
    await settle();
    queue.add('c', { urgent: true });
    await r.release('a');
    assert.deepEqual(r.inProcess(), ['c'], 'c jumped b');
    queue.add('c', { urgent: true }); // changed again while in process
    queue.add('z');
    await r.release('c');
    assert.deepEqual(r.inProcess(), ['c'], 'c again, ahead of b and z');
    for (const key of ['c', 'b', 'z']) await r.release(key);
    assert.deepEqual(r.calls, ['a', 'c', 'c', 'b', 'z']);
    assert.deepEqual(r.concurrentKeys, []);
  });

  it('adds a key after a delay, keeping the earliest of several delays', async () => {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock });
    const r = recorder();
    queue.start(r.process);
    queue.addAfter('a', 100);
    queue.addAfter('a', 500);
    queue.addAfter('b', 300);
    queue.addAfter('b', 200);
    clock.advance(99);
    await settle();
    assert.deepEqual(r.calls, [], 'nothing is due before 100 ms');
    clock.advance(1);
    await settle();
    assert.deepEqual(r.calls, ['a']);
    await r.release('a');
    clock.advance(100);
    await settle();
    assert.deepEqual(r.calls, ['a', 'b'], 'b came at 200 ms, the earlier of its delays');
    await r.release('b');
    clock.advance(1000);
    await settle();
    assert.deepEqual(r.calls, ['a', 'b'], 'the later delays were dropped, not fired again');
    assert.equal(clock.pending, 0);
  });

  it('treats a delay of zero as an immediate add', async () => {
    const queue = new WorkQueue({ clock: new ManualClock() });
    queue.addAfter('a', 0);
    assert.equal(queue.depth, 1);
  });

  it('retries a failed key after a backoff that grows with each failure and resets on forget', async () => {
    const clock = new ManualClock();
    const errors: string[] = [];
    const queue = new WorkQueue({
      clock,
      onProcessError: (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    });
    const r = recorder();
    queue.start(r.process);
    queue.add('a');
    await settle();
    await r.release('a', new Error('boom 1'));
    assert.equal(queue.retries('a'), 1);
    clock.advance(4);
    await settle();
    assert.equal(r.calls.length, 1, 'the first retry waits the 5 ms base delay');
    clock.advance(1);
    await settle();
    assert.equal(r.calls.length, 2);
    await r.release('a', new Error('boom 2'));
    clock.advance(9);
    await settle();
    assert.equal(r.calls.length, 2, 'the second retry waits 10 ms');
    clock.advance(1);
    await settle();
    assert.equal(r.calls.length, 3);
    await r.release('a');
    assert.deepEqual(errors, ['a: boom 1', 'a: boom 2']);
    queue.forget('a');
    assert.equal(queue.retries('a'), 0);
    queue.addRateLimited('a');
    clock.advance(5);
    await settle();
    assert.equal(r.calls.length, 4, 'after forget the backoff starts again at the base delay');
    await r.release('a');
  });

  it('uses the given rate limiter for addRateLimited', async () => {
    const clock = new ManualClock();
    const asked: string[] = [];
    const limiter: RateLimiter = { when: (key) => (asked.push(key), 1000), forget: () => {}, retries: () => 0 };
    const queue = new WorkQueue({ clock, rateLimiter: limiter });
    queue.addRateLimited('x');
    assert.equal(queue.depth, 0);
    clock.advance(1000);
    assert.equal(queue.depth, 1);
    assert.deepEqual(asked, ['x']);
  });

  it('after shutDown takes no new keys, drops waiting and delayed ones, and drain waits for keys in process', async () => {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock, workers: 1 });
    const r = recorder();
    queue.start(r.process);
    queue.add('a');
    queue.add('b');
    queue.addAfter('c', 10);
    await settle();
    assert.deepEqual(r.inProcess(), ['a']);
    queue.add('a'); // re-added while in process
    queue.shutDown();
    queue.add('d');
    assert.equal(queue.depth, 0);
    assert.equal(clock.pending, 0, 'the delayed add of c is cancelled');

    let drained = false;
    const draining = queue.drain().then(() => (drained = true));
    await settle();
    assert.equal(drained, false, 'drain waits while a is in process');
    await r.release('a');
    await draining;
    assert.equal(drained, true);
    clock.advance(100);
    await settle();
    assert.deepEqual(r.calls, ['a'], 'neither b, c, d nor the re-added a ran after shutDown');
  });

  it('drain resolves at once when nothing is in process', async () => {
    const queue = new WorkQueue();
    queue.shutDown();
    await queue.drain();
  });

  it('reports the number of ready keys', async () => {
    const depths: number[] = [];
    const queue = new WorkQueue({ onDepthChange: (d) => depths.push(d) });
    queue.add('a');
    queue.add('b');
    const r = recorder();
    queue.start(r.process);
    await settle();
    assert.deepEqual(depths, [1, 2, 1]);
    await r.release('a');
    await r.release('b');
    assert.equal(depths.at(-1), 0);
  });

  it('rejects a worker count that is not a positive integer', () => {
    assert.throws(() => new WorkQueue({ workers: 0 }), /workers must be a positive integer/);
  });
});
