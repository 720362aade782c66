/**
 * One ApplianceView.state() per scrape, shared by every collector of that
 * scrape: the values of one scrape are then one consistent point in time, and
 * a scrape costs one read of the shared counters however many metrics it has.
 */
import type { ApplianceView, OperationalState } from '../supervisor/api';

export class ScrapeState {
  private current: OperationalState | undefined;

  constructor(private readonly view: ApplianceView) {}

  /** Starts a scrape: the next get() reads the view afresh. */
  begin(): void {
    this.current = undefined;
  }

  /** The state of the scrape in progress, read on first use. */
  get(): OperationalState {
    this.current ??= this.view.state();
    return this.current;
  }

  /** Ends a scrape: drops the reference so a large state is not held between scrapes. */
  end(): void {
    this.current = undefined;
  }
}
