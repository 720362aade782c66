/**
 * Counters in a shared file (Dataplane countersPath, mapCounters): the
 * supervisor's mapping sees the dataplane's counts in place, survives the
 * dataplane's end, refuses a file of another shape, and a new dataplane's
 * file never pulls the old counts out from under a reader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import test from 'ava';

import { mapCounterFile } from '../../src/dataplane/counters';
import { DataplaneHost } from '../../src/dataplane/host';
import { native, type CounterLayout } from '../../src/native/binding';
import { tempDir } from '../helpers/cli';
import { PLAN } from './live-plan';

function view(l: CounterLayout): BigUint64Array {
  return new BigUint64Array(l.buffer, l.byteOffset, l.workers * l.objects * l.slots);
}

test('a dataplane with countersPath writes where mapCounters reads', (t) => {
  const file = path.join(tempDir(t, 'cxw-cnt-'), 'counters');
  const mod = native();
  const dp = new mod.Dataplane({ workers: 2, maxAttachments: 8, countersPath: file });
  t.teardown(() => dp.close());
  dp.publish(PLAN);
  const mine = dp.layout();
  t.is(mine.byteOffset % 64, 0, 'the block starts on a cache line');
  t.true(fs.statSync(file).size >= mine.byteOffset + mine.workers * mine.objects * mine.slots * 8);

  const map = mod.mapCounters({ path: file, workers: 2, maxAttachments: 8 });
  const theirs = map.layout();
  t.like(theirs, { workers: 2, objects: mine.objects, slots: mine.slots, portBase: 0, attachmentBase: mine.attachmentBase });
  const w = view(mine);
  const r = view(theirs);
  t.true(r.every((v) => v === 0n), 'a new file is zeroed');
  // Worker 1, port 1, slot rx_packets: as the fast path writes it.
  w[(1 * mine.objects + 1) * mine.slots + 0] = 41n;
  t.is(r[(1 * theirs.objects + 1) * theirs.slots + 0], 41n, 'the same memory, no copy');

  const mapped = mapCounterFile(file, 2, 8);
  t.is(mapped.reader.snapshot(['cust0', 'cloud0'], []).ports.get('cloud0')?.rx_packets, 41n);
  mapped.close();

  // The writer goes; the reader's mapping stays and still holds the count.
  dp.close();
  t.is(r[(1 * theirs.objects + 1) * theirs.slots + 0], 41n);
  map.close();
  t.is(r.length, 0, 'after close the old view reads as empty, never unmapped memory');
  t.throws(() => map.layout(), { message: /closed/ });
  map.close(); // twice is harmless
});

test('a new dataplane replaces the file; a reader of the old one keeps the old counts', (t) => {
  const file = path.join(tempDir(t, 'cxw-cnt-'), 'counters');
  const first = new DataplaneHost({ workers: 1, maxAttachments: 4, countersPath: file });
  t.teardown(() => first.close());
  const old = native().mapCounters({ path: file, workers: 1, maxAttachments: 4 });
  t.teardown(() => old.close());
  const oldView = view(old.layout());
  oldView[3] = 7n;
  const second = new DataplaneHost({ workers: 1, maxAttachments: 4, countersPath: file });
  t.teardown(() => second.close());
  const fresh = native().mapCounters({ path: file, workers: 1, maxAttachments: 4 });
  t.teardown(() => fresh.close());
  t.is(view(fresh.layout())[3], 0n, 'the new file starts at zero');
  t.is(oldView[3], 7n, 'the old mapping is untouched');
  t.deepEqual(
    fs.readdirSync(path.dirname(file)),
    ['counters'],
    'no temporary file left beside it',
  );
});

test('files that are not counters of this shape are refused, naming the reason', (t) => {
  const dir = tempDir(t, 'cxw-cnt-');
  const file = path.join(dir, 'counters');
  const mod = native();
  const dp = new mod.Dataplane({ workers: 2, maxAttachments: 8, countersPath: file });
  t.teardown(() => dp.close());
  t.throws(() => mod.mapCounters({ path: file, workers: 1, maxAttachments: 8 }), { message: /made for 2 workers and 8 attachments, expected 1 and 8/ });
  t.throws(() => mod.mapCounters({ path: path.join(dir, 'none'), workers: 1, maxAttachments: 8 }), { message: /cannot open/ });
  fs.writeFileSync(path.join(dir, 'junk'), Buffer.alloc(8192, 0x6a));
  t.throws(() => mod.mapCounters({ path: path.join(dir, 'junk'), workers: 1, maxAttachments: 8 }), { message: /not a cix counters file/ });
  fs.writeFileSync(path.join(dir, 'short'), 'x');
  t.throws(() => mod.mapCounters({ path: path.join(dir, 'short'), workers: 1, maxAttachments: 8 }), { message: /too short/ });
  t.throws(() => mod.mapCounters({ path: dir, workers: 1, maxAttachments: 8 }));
  t.throws(() => mod.mapCounters({ path: file, workers: 0, maxAttachments: 8 }), { instanceOf: RangeError });
  t.throws(() => new mod.Dataplane({ workers: 1, maxAttachments: 8, countersPath: path.join(dir, 'no', 'such', 'dir') }), {
    message: /cannot create/,
  });
});

test('the addon checks that `this` is one of its objects', (t) => {
  const file = path.join(tempDir(t, 'cxw-cnt-'), 'counters');
  const mod = native();
  const dp = new mod.Dataplane({ workers: 1, maxAttachments: 4, countersPath: file });
  t.teardown(() => dp.close());
  const map = mod.mapCounters({ path: file, workers: 1, maxAttachments: 4 });
  t.teardown(() => map.close());
  const start = mod.Dataplane.prototype.start as (this: unknown, s: unknown) => unknown;
  t.throws(() => start.call(map, {}), { instanceOf: TypeError });
  t.throws(() => start.call({}, {}), { instanceOf: TypeError });
  const layout = Object.getPrototypeOf(map).layout as (this: unknown) => unknown;
  t.throws(() => layout.call(dp), { instanceOf: TypeError });
  t.false(dp.running());
  t.deepEqual(dp.socketStats(), []);
  t.is(dp.missingBuffers(), 0);
});
