/**
 * The environment variables that describe a job of events (the events a
 * command is run for) to that command. `vigil [paths] -- <command>` and
 * `vigil run` rule commands both build them here, so that the two cannot
 * drift apart; each adds its own (VIGIL_PATHS, VIGIL_RULE) on top.
 */
import type { WatchEvent } from './events.js';

/** The name of every variable {@link eventVariables} sets. */
export type EventVariable = 'VIGIL_EVENT_TYPE' | 'VIGIL_EVENT_PATH' | 'VIGIL_EVENT_OLD_PATH' | 'VIGIL_EVENT_KIND' | 'VIGIL_EVENT_ORIGIN' | 'VIGIL_EVENT_COUNT';

/**
 * The `VIGIL_EVENT_*` variables for a job: the last event's type, path, old
 * path (empty unless a rename), kind and origin, and how many events the job
 * holds. A job without events (a command run at start) gets empty strings and
 * a count of 0, so the command sees the same set of names every time.
 */
export function eventVariables(events: readonly WatchEvent[]): Record<EventVariable, string> {
  const last = events[events.length - 1];
  return {
    VIGIL_EVENT_TYPE: last?.type ?? '',
    VIGIL_EVENT_PATH: last?.path ?? '',
    VIGIL_EVENT_OLD_PATH: last?.oldPath ?? '',
    VIGIL_EVENT_KIND: last?.kind ?? '',
    VIGIL_EVENT_ORIGIN: last?.origin ?? '',
    VIGIL_EVENT_COUNT: String(events.length),
  };
}
