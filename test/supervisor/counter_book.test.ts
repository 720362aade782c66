import test from 'ava';

import type { TablesPlan } from '../../src/native/plan';
import { CounterBook } from '../../src/supervisor/counter_book';
import { FakeBlock, REASONS } from './fakes';

function plan(ports: [string, number][], atts: [string, number][]): TablesPlan {
  return {
    ports: ports.map(([name, id]) => ({ id, name, mtu: 1500 })),
    attachments: atts.map(([name, id]) => ({ id, name, port: 0, kind: 0, tags: [], peer: -1 })),
  };
}

const source = (b: FakeBlock) => ({ read: b.read.bind(b), close: () => undefined });

test('exported = carried + live - baseline, across a process change', (t) => {
  const book = new CounterBook(REASONS);
  book.replan(plan([['p', 0]], [['a', 0]]));
  const b1 = new FakeBlock();
  book.attach(source(b1));
  b1.add('port', 0, 5, { truncated: 2 });
  t.is(book.value('port', 'p').rxPackets, 5n);
  book.fold();
  t.false(book.attached);
  t.is(book.value('port', 'p').rxPackets, 5n, 'readable while no process runs');
  const b2 = new FakeBlock();
  book.attach(source(b2));
  b2.add('port', 0, 1);
  t.is(book.value('port', 'p').rxPackets, 6n);
  t.is(book.value('port', 'p').drops.truncated, 2n);
  t.deepEqual(book.dropTotals(), { truncated: 2n, no_attachment: 0n, tx_full: 0n });
});

test('prepare reads baselines before the publish; counts after it belong to the new name', (t) => {
  const book = new CounterBook(REASONS);
  const b = new FakeBlock();
  book.replan(plan([['p', 0]], [['old', 0]]));
  book.attach(source(b));
  b.add('attachment', 0, 9);
  const prepared = book.prepare(plan([['p', 0]], [['new', 0]]));
  b.add('attachment', 0, 2); // the new tables run: id 0 counts for "new"
  book.commit(prepared);
  t.is(book.value('attachment', 'new').rxPackets, 2n);
  t.is(book.value('attachment', 'old').rxPackets, 0n, 'a removed name is gone');
});

test('drop totals keep the drops of removed ports', (t) => {
  const book = new CounterBook(REASONS);
  const b = new FakeBlock();
  book.replan(plan([['p', 0], ['q', 1]], []));
  book.attach(source(b));
  b.add('port', 1, 0, { no_attachment: 4 });
  b.add('port', 0, 0, { no_attachment: 1 });
  book.replan(plan([['p', 0]], []));
  t.is(book.dropTotals().no_attachment, 5n);
  b.add('port', 0, 0, { no_attachment: 1 });
  t.is(book.dropTotals().no_attachment, 6n);
});

test('a name removed and added again starts from zero', (t) => {
  const book = new CounterBook(REASONS);
  const b = new FakeBlock();
  book.replan(plan([['p', 0]], []));
  book.attach(source(b));
  b.add('port', 0, 3);
  book.replan(plan([], []));
  book.replan(plan([['p', 0]], []));
  t.is(book.value('port', 'p').rxPackets, 0n);
});
