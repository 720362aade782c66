/**
 * A dataplane in a process of its own, for the live tests: it keeps its
 * counters in the file given, starts afpacket on the two interfaces given,
 * prints "ready" and forwards until it is killed.
 *
 *   node live-child.js COUNTERS_FILE CUST_IF CLOUD_IF
 */
import { DataplaneHost } from '../../src/dataplane/host';
import { PLAN } from './live-plan';

const [file, cust, cloud] = process.argv.slice(2);
if (file === undefined || cust === undefined || cloud === undefined) {
  process.stderr.write('usage: live-child.js COUNTERS_FILE CUST_IF CLOUD_IF\n');
  process.exit(2);
}
const host = new DataplaneHost({ workers: 1, maxAttachments: 16, countersPath: file });
host.publish(PLAN);
host.start({
  ports: [
    { id: 0, name: 'cust0', interface: cust, driver: 'afpacket', xdpMode: 'auto', addresses: [] },
    { id: 1, name: 'cloud0', interface: cloud, driver: 'afpacket', xdpMode: 'auto', addresses: [] },
  ],
  workers: 1,
  cpus: [],
  burst: 32,
});
process.stdout.write('ready\n');
// Bounded: the test kills us long before this.
setTimeout(() => {
  host.close();
  process.exit(0);
}, 60_000);
