import type { ObjectLiteral } from 'typeorm';
import { ConfigurationError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import type { RepositoryEventName } from '../repository/repository-events';
import type { EmitEvents } from './bulk-options';

/**
 * A bulk update's or delete's `batchSize`: a positive integer, or `undefined` when not given.
 * @throws ConfigurationError for anything else, before any SQL runs
 */
export function batchSizeOption(batchSize: number | undefined): number | undefined {
  if (batchSize === undefined) return undefined;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new ConfigurationError(`batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  return batchSize;
}

/**
 * A bulk call's `emitEvents`, checked: every bulk call reads it through here.
 * @throws ConfigurationError for a value other than `true`, `false` or `'perRow'`
 */
export function emitEventsOption(option: EmitEvents | undefined): EmitEvents {
  const mode = option ?? true;
  if (mode !== true && mode !== false && mode !== 'perRow') {
    throw new ConfigurationError(`emitEvents must be true, false or 'perRow', got ${String(mode)}`);
  }
  return mode;
}

/**
 * A boolean bulk option (`returnIds`, `dryRun`, `atomic`, `validate`, `allowAll`), checked: a
 * mistyped `'false'` must not turn a feature on.
 * @throws ConfigurationError for anything but a boolean or `undefined`
 */
export function booleanOption(
  name: string,
  value: boolean | undefined,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new ConfigurationError(`${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The events a bulk call fires. It is `false` when the repository's events are off or nobody
 * listens to the event the mode would fire, so that nothing (RETURNING, key reads, locks) is
 * spent on events nobody will see.
 * @throws ConfigurationError for a value other than `true`, `false` or `'perRow'`
 */
export function emitMode<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  option: EmitEvents | undefined,
  events: { readonly bulk: RepositoryEventName; readonly perRow: RepositoryEventName },
): EmitEvents {
  const mode = emitEventsOption(option);
  if (mode === false) return false;
  return context.parts.events.hasListeners(mode === 'perRow' ? events.perRow : events.bulk)
    ? mode
    : false;
}
