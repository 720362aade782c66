/**
 * Link state of the ports, polled once a second (one `ip -j link show` for
 * all of them: cheap) and reported when it changes.
 */
import type { LinkState } from './api';
import type { NetControl } from './netif';

export interface MonitoredPort {
  name: string;
  interface: string;
}

export type LinkListener = (port: string, link: LinkState) => void;

export class LinkMonitor {
  private ports: MonitoredPort[] = [];
  private readonly states = new Map<string, LinkState>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly net: NetControl,
    private readonly onChange: LinkListener,
    private readonly intervalMs = 1_000,
  ) {}

  /** The ports to watch from now on; a port that goes away is forgotten. */
  setPorts(ports: readonly MonitoredPort[]): void {
    this.ports = [...ports];
    const names = new Set(ports.map((p) => p.name));
    for (const name of [...this.states.keys()]) if (!names.has(name)) this.states.delete(name);
  }

  state(port: string): LinkState {
    return this.states.get(port) ?? 'unknown';
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll; a failed one (namespace gone, ip missing) leaves the states as they were. */
  async poll(): Promise<void> {
    if (this.polling) return; // the previous one is still running
    this.polling = true;
    try {
      const ports = this.ports;
      const found = await this.net.linkStates(ports.map((p) => p.interface));
      for (const p of ports) {
        if (!this.ports.includes(p)) continue; // replaced meanwhile
        const now = found.get(p.interface) ?? 'unknown';
        if (this.states.get(p.name) === now) continue;
        this.states.set(p.name, now);
        this.onChange(p.name, now);
      }
    } catch {
      // Reported by the next successful poll's changes; nothing to do now.
    } finally {
      this.polling = false;
    }
  }
}
