import { plainToInstance, TransformationType } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  getMetadataStorage,
  validate,
  validateSync,
  type ValidationError as ClassValidatorError,
} from 'class-validator';
import { ValidationError, type FieldError } from '../errors';
import { compileDtoCheck, type DtoCheck } from './compiled-dto-check';

/** A DTO class: class-validator decorators on its properties. */
export type DtoClass<D extends object = object> = new () => D;

const OPTIONS = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true, // unknown properties are errors, not silently dropped
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
});

/**
 * Validates plain input against one DTO class and returns the properties it defines; every
 * field at fault is listed in one {@link ValidationError}. Properties left `undefined` are omitted.
 *
 * Built once per DTO class. When the class has no class-transformer metadata (`@Type`,
 * `@Transform`, `@Expose`, `@Exclude`) and no async constraint, input is copied onto an instance
 * and checked by a compiled pass/fail function ({@link compileDtoCheck}); only a failing row goes
 * through `validateSync`, for the error list. Every other class takes `plainToInstance` plus
 * async `validate`.
 */
export class DtoValidator {
  readonly #fast: boolean;
  /** A compiled pass/fail check for valid rows; failures still go through class-validator. */
  readonly #check?: DtoCheck;

  constructor(
    readonly entity: string,
    readonly dtoClass: DtoClass,
  ) {
    this.#fast = !needsTransformer(dtoClass) && !hasAsyncConstraint(dtoClass);
    this.#check = this.#fast ? compileDtoCheck(dtoClass) : undefined;
  }

  /**
   * The validated values, synchronously for a class the compiled check covers (a bulk load then
   * costs no promise per row), else a promise. Bad input throws, or rejects with,
   * {@link ValidationError}.
   */
  validate(
    input: unknown,
    index?: number,
  ): Record<string, unknown> | Promise<Record<string, unknown>> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw ValidationError.notAnObject(this.entity, index);
    }
    if (!this.#fast) return this.#validateAsync(input, index);
    const instance = Object.assign(new this.dtoClass(), input);
    if (!this.#check?.(instance)) this.#refuse(validateSync(instance, OPTIONS), index);
    return definedValues(instance);
  }

  async #validateAsync(input: object, index?: number): Promise<Record<string, unknown>> {
    const instance = plainToInstance(this.dtoClass, input);
    this.#refuse(await validate(instance, OPTIONS), index);
    return definedValues(instance);
  }

  #refuse(errors: readonly ClassValidatorError[], index?: number): void {
    if (errors.length > 0) throw new ValidationError(this.entity, flatten(errors, ''), index);
  }
}

/** The instance's own properties that are not `undefined`, as a plain object. */
function definedValues(instance: object): Record<string, unknown> {
  const source = instance as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value !== undefined) values[key] = value;
  }
  return values;
}

/** The validated property names of a DTO class, ancestors included. */
function validatedProperties(dtoClass: DtoClass): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dtoClass, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

function needsTransformer(dtoClass: DtoClass): boolean {
  const storage = defaultMetadataStorage;
  if (storage.getStrategy(dtoClass) !== 'none') return true;
  if (storage.getExposedMetadatas(dtoClass).length > 0) return true;
  if (storage.getExcludedMetadatas(dtoClass).length > 0) return true;
  return validatedProperties(dtoClass).some(
    (p) =>
      storage.findTypeMetadata(dtoClass, p) !== undefined ||
      storage.findTransformMetadatas(dtoClass, p, TransformationType.PLAIN_TO_CLASS).length > 0,
  );
}

function hasAsyncConstraint(dtoClass: DtoClass): boolean {
  const storage = getMetadataStorage();
  return storage
    .getTargetValidationMetadatas(dtoClass, '', true, false)
    .some(
      (m) =>
        m.constraintCls &&
        storage.getTargetValidatorConstraints(m.constraintCls).some((c) => c.async),
    );
}

function flatten(errors: readonly ClassValidatorError[], prefix: string): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix + e.property;
    const own = e.constraints ? [{ field, constraints: e.constraints }] : [];
    return [...own, ...flatten(e.children ?? [], `${field}.`)];
  });
}
