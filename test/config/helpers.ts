/** Shared helpers of the config tests (not a test file itself). */
import { ConfigError, configFromValue, formatIssue, parseConfigText } from '../../src/config';

/** Every issue of a document as `path: message`; [] when it is valid. */
export function issuesOf(doc: unknown): string[] {
  try {
    configFromValue(doc);
    return [];
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
}

export function issuesOfText(text: string, filename = 'test.yaml'): string[] {
  try {
    parseConfigText(text, filename);
    return [];
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
}

/** A valid two-port, two-attachment, one-xconnect document to start from. */
export function baseDoc() {
  return {
    ports: [{ name: 'cust0' }, { name: 'cloud0', mtu: 9000 }],
    attachments: [
      { name: 'cust-a', port: 'cust0', vlan: { outer: { vid: 200 } } },
      { name: 'cloud-a', port: 'cloud0', vlan: { outer: { vid: 100 }, inner: { vid: 200 } } },
    ] as Record<string, unknown>[],
    services: [{ name: 'xc-a', xconnect: { endpoints: ['cust-a', 'cloud-a'] } }] as Record<string, unknown>[],
  };
}
