/** Every request kind's handler, in one table (a kind without one does not compile). */
import type { Handlers } from './handler-types';
import { configHandlers } from './handlers-config';
import { stateHandlers } from './handlers-state';
import { tokenHandlers } from './handlers-tokens';

export const HANDLERS: Handlers = { ...configHandlers, ...stateHandlers, ...tokenHandlers };
