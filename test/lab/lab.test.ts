/**
 * The lab by hand: `cix lab up` makes the namespaces and veths and leaves
 * cix running (ARP and ping to its own address answered), `cix lab status`
 * shows it, `cix lab down` stops cix and removes everything. The namespace
 * helpers are idempotent and sweep by exact prefix.
 */
import * as fs from 'node:fs';

import test from 'ava';

import { addNetns, addVethPair, delNetns, listNetns, sweep } from '../../src/lab/netns';
import { labState } from '../../src/lab/runner';
import { CIX_CUST_ADDRESS, labNames, linkInfo } from '../../src/lab/topology';
import { probe } from '../../src/lab/traffic';
import { cix } from '../helpers/cli';
import { live, sweepBefore } from '../live/helpers';

const PREFIX = 'cxle';
sweepBefore(PREFIX);

test('lab names must start with cix-lab or cxl', (t) => {
  t.is(labNames().namespaces.cix, 'cix-lab-cix');
  t.is(labNames('cxle1').custHost.netnsPath, '/run/netns/cxle1-cust');
  t.throws(() => labNames('prod'), { message: /must start with "cix-lab" or "cxl"/ });
  t.is(cix(['lab', 'up', '--prefix', 'prod']).status, 2);
  t.is(cix(['lab', 'sideways']).status, 2);
});

live('namespace helpers are idempotent and sweep removes exactly their prefix', async (t) => {
  const a = `${PREFIX}-h-a`;
  const b = `${PREFIX}-h-b`;
  t.teardown(() => sweep(`${PREFIX}-h-`));
  await addNetns(a);
  await addNetns(a);
  await addNetns(b);
  await addVethPair({ netns: a, name: 'v0' }, { netns: b, name: 'v1' }, 2);
  await addVethPair({ netns: a, name: 'v0' }, { netns: b, name: 'v1' }, 2);
  t.is((await linkInfo({ netns: a, netnsPath: '', iface: 'v0' })).operstate, 'up');
  t.deepEqual(
    listNetns().filter((n) => n.startsWith(`${PREFIX}-h-`)),
    [a, b],
  );
  await t.throwsAsync(sweep('cx'), { message: /too broad/ });
  t.deepEqual((await sweep(`${PREFIX}-h-`)).sort(), [`netns ${a}`, `netns ${b}`]);
  await delNetns(a);
  t.deepEqual(
    listNetns().filter((n) => n.startsWith(`${PREFIX}-h-`)),
    [],
  );
});

live('cix lab up / status / down', async (t) => {
  t.timeout(90_000);
  const prefix = `${PREFIX}0`;
  const lab = labNames(prefix);
  t.teardown(() => void cix(['lab', 'down', '--prefix', prefix]));

  const up = cix(['lab', 'up', '--prefix', prefix]);
  t.is(up.status, 0, up.stderr);
  t.regex(up.stdout, new RegExp(`ip netns exec ${prefix}-cust ping -c 3 ${CIX_CUST_ADDRESS.replace(/\./g, '\\.')}`));
  t.regex(up.stdout, /cix lab down --prefix cxle0/);
  t.is(cix(['lab', 'up', '--prefix', prefix]).status, 2, 'a second up is refused');

  const status = cix(['lab', 'status', '--prefix', prefix]);
  t.is(status.status, 0, status.stdout);
  t.regex(status.stdout, /cust0\s+up, xdp cix_xsk \(native\), 192\.0\.2\.1\/24/);
  t.regex(status.stdout, /cloud0\s+up, xdp cix_xsk \(native\), no address/);

  const answered = await probe(lab.custHost, '192.0.2.2', CIX_CUST_ADDRESS);
  t.not(answered.arp, null);
  t.is(answered.ping, 3);

  const down = cix(['lab', 'down', '--prefix', prefix]);
  t.is(down.status, 0, down.stderr);
  t.regex(down.stdout, /removed cix run \(stopped: XDP detached, UMEMs freed\), netns cxle0-cust, netns cxle0-cix, netns cxle0-cloud/);
  t.deepEqual(
    listNetns().filter((n) => n.startsWith(`${prefix}-`)),
    [],
  );
  t.false(fs.existsSync(labState(lab).dir));
  t.is(cix(['lab', 'status', '--prefix', prefix]).status, 3);
  t.regex(cix(['lab', 'down', '--prefix', prefix]).stdout, /nothing to remove/);
});

live('cix demo: live traffic both ways, counters, everything removed after', async (t) => {
  t.timeout(90_000);
  const prefix = `${PREFIX}d`;
  const r = cix(['demo', '--seconds', '2', '--prefix', prefix]);
  t.is(r.status, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /customer -> cloud \(C200 -> S100\+C200\): 400 sent, 400 arrived, 400 of them byte for byte/);
  t.regex(r.stdout, /cloud -> customer \(S100\+C200 -> C200\): 400 sent, 400 arrived, 400 of them byte for byte/);
  t.regex(r.stdout, /ARP for 192\.0\.2\.1: answered by [0-9a-f:]{17}; ping: 3 of 3 answered/);
  t.regex(r.stdout, /cust-a-edge\s+cust0\s+400\s+400/);
  t.regex(r.stdout, /removed netns cxled-cust, netns cxled-cix, netns cxled-cloud/);
  t.deepEqual(
    listNetns().filter((n) => n.startsWith(`${prefix}-`)),
    [],
  );
});
