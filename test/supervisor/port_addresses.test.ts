/**
 * The appliance's own addresses: cix removes what it added and nothing else,
 * and with a journal it still knows what it added after a kill -9.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import test from 'ava';

import { PortAddresses } from '../../src/supervisor/port_addresses';
import { tempDir } from '../helpers/cli';
import { FakeNet } from './fakes';

const plan = (entries: [string, string[]][]): Map<string, string[]> => new Map(entries);

test('a later supervisor removes what an earlier one added (journal), never what the operator put there', async (t) => {
  const dir = tempDir(t, 'cix-addr-');
  const journal = { file: path.join(dir, 'addresses.json'), netns: 'cix0' };
  const net = new FakeNet();
  await net.addAddress('cloud0', '192.0.2.1/24'); // the operator's
  const first = new PortAddresses(net, journal);
  await first.sync(plan([['cloud0', ['192.0.2.1/24', '198.51.100.1/30']], ['cust0', ['203.0.113.1/29']]]));
  t.deepEqual(JSON.parse(fs.readFileSync(journal.file, 'utf8')), {
    format: 'cix-addresses-v1',
    netns: 'cix0',
    added: { cloud0: ['198.51.100.1/30'], cust0: ['203.0.113.1/29'] },
  });
  // kill -9: `first` never clears. An operator meanwhile removes one of cix's addresses by hand.
  await net.delAddress('cust0', '203.0.113.1/29');

  const second = new PortAddresses(net, journal);
  await second.sync(plan([['cloud0', ['192.0.2.1/24']]]));
  t.deepEqual([...net.addrs.get('cloud0')!], ['192.0.2.1/24'], "cix's old address went, the operator's stayed");
  t.deepEqual(second.added(), new Map());
  t.is(net.log.filter((l) => l === 'del cust0 203.0.113.1/29').length, 1, 'the one the operator removed is not removed again');

  await second.sync(plan([['cust0', ['203.0.113.9/29']]]));
  const third = new PortAddresses(net, journal);
  await third.clear();
  t.deepEqual([...(net.addrs.get('cust0') ?? [])], []);
  t.deepEqual([...net.addrs.get('cloud0')!], ['192.0.2.1/24']);
  t.deepEqual(JSON.parse(fs.readFileSync(journal.file, 'utf8')).added, {});
});

test('a journal of another namespace, or one that does not parse, claims nothing', async (t) => {
  const dir = tempDir(t, 'cix-addr-');
  const file = path.join(dir, 'addresses.json');
  const net = new FakeNet();
  await net.addAddress('cloud0', '198.51.100.1/30');
  fs.writeFileSync(file, JSON.stringify({ format: 'cix-addresses-v1', netns: 'other', added: { cloud0: ['198.51.100.1/30'] } }));
  await new PortAddresses(net, { file, netns: 'cix0' }).clear();
  t.deepEqual([...net.addrs.get('cloud0')!], ['198.51.100.1/30']);

  const logs: string[] = [];
  fs.writeFileSync(file, '{"format":"cix-addresses-v1","netns":"cix0","added":{"cloud0":"198.51');
  await new PortAddresses(net, { file, netns: 'cix0' }, (l) => logs.push(l)).clear();
  t.deepEqual([...net.addrs.get('cloud0')!], ['198.51.100.1/30']);
  t.regex(logs.join('\n'), /not an address journal; ignored/);
});

test('an address the kernel refuses is not claimed: going back to the previous plan works', async (t) => {
  const dir = tempDir(t, 'cix-addr-');
  const journal = { file: path.join(dir, 'addresses.json'), netns: undefined };
  const net = new FakeNet();
  const a = new PortAddresses(net, journal);
  await a.sync(plan([['cloud0', ['198.51.100.1/30']]]));
  const add = net.addAddress.bind(net);
  net.addAddress = async (ifname, cidr) => {
    if (cidr === '203.0.113.1/29') throw new Error('RTNETLINK answers: No such device');
    return add(ifname, cidr);
  };
  await t.throwsAsync(a.sync(plan([['cloud0', ['198.51.100.1/30']], ['gone0', ['203.0.113.1/29']]])), { message: /No such device/ });
  t.deepEqual(a.added(), new Map([['cloud0', ['198.51.100.1/30']]]));
  await a.sync(plan([['cloud0', ['198.51.100.1/30']]]));
  t.deepEqual(JSON.parse(fs.readFileSync(journal.file, 'utf8')).added, { cloud0: ['198.51.100.1/30'] });
});
