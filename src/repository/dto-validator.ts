import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError as ClassValidatorError } from 'class-validator';
import { ValidationError, type FieldError } from '../errors';

/** A DTO class: class-validator decorators on its properties. */
export type DtoClass<D extends object = object> = new () => D;

const OPTIONS = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true, // unknown properties are errors, not silently dropped
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
});

/**
 * Validates plain input against a DTO class and returns the properties it defines. Every field at
 * fault is listed in one {@link ValidationError}. Properties left `undefined` are omitted.
 */
export async function validateDto(
  entity: string,
  dtoClass: DtoClass,
  input: unknown,
  index?: number,
): Promise<Record<string, unknown>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(
      entity,
      [{ field: '$input', constraints: { isObject: 'must be an object' } }],
      index,
    );
  }
  const instance = plainToInstance(dtoClass, input);
  const errors = await validate(instance, OPTIONS);
  if (errors.length > 0) throw new ValidationError(entity, flatten(errors, ''), index);
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(instance)) {
    if (value !== undefined) values[key] = value;
  }
  return values;
}

function flatten(errors: readonly ClassValidatorError[], prefix: string): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix + e.property;
    const own = e.constraints ? [{ field, constraints: e.constraints }] : [];
    return [...own, ...flatten(e.children ?? [], `${field}.`)];
  });
}
