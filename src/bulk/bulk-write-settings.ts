import type { ObjectLiteral } from 'typeorm';
import { booleanFlag, given, oneOf, positiveInteger } from '../config/option-checks';
import type { RepositoryContext } from '../repository/repository-context';
import type { RepositoryEventName } from '../repository/repository-events';
import type { EmitEvents } from './bulk-options';

/**
 * A bulk call's `batchSize`: a positive integer, or `undefined` when not given.
 * @throws OptionError for anything else, before any SQL runs
 */
export function batchSizeOption(batchSize: number | undefined): number | undefined {
  return given(batchSize, (v) => positiveInteger('batchSize', v));
}

const EMIT_EVENTS: readonly EmitEvents[] = [true, false, 'perRow'];

/**
 * A bulk call's `emitEvents`, checked: every bulk call reads it through here.
 * @throws OptionError for a value other than `true`, `false` or `'perRow'`
 */
export function emitEventsOption(option: EmitEvents | undefined): EmitEvents {
  return oneOf('emitEvents', option ?? true, EMIT_EVENTS);
}

/**
 * A boolean bulk option (`returnIds`, `dryRun`, `atomic`, `validate`, `allowAll`), checked: a
 * mistyped `'false'` must not turn a feature on.
 * @throws OptionError for anything but a boolean or `undefined`
 */
export function booleanOption(
  name: string,
  value: boolean | undefined,
  fallback: boolean,
): boolean {
  return value === undefined ? fallback : booleanFlag(name, value);
}

/**
 * The events a bulk call fires. It is `false` when the repository's events are off or nobody
 * listens to the event the mode would fire, so that nothing (RETURNING, key reads, locks) is
 * spent on events nobody will see.
 * @throws OptionError for a value other than `true`, `false` or `'perRow'`
 */
export function emitMode<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  option: EmitEvents | undefined,
  events: { readonly bulk: RepositoryEventName; readonly perRow: RepositoryEventName },
): EmitEvents {
  const mode = emitEventsOption(option);
  if (mode === false) return false;
  return context.events.hasListeners(mode === 'perRow' ? events.perRow : events.bulk)
    ? mode
    : false;
}
