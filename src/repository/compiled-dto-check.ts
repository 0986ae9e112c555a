import {
  getMetadataStorage,
  ValidationTypes,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/** One property's checks, in class-validator's order. */
interface PropertyCheck {
  readonly property: string;
  /** `@IsOptional`, `@ValidateIf`: when one is false the property is not validated at all. */
  readonly conditions: readonly ((object: object, value: unknown) => unknown)[];
  readonly constraints: readonly {
    readonly metadata: ValidationMetadata;
    readonly instances: readonly ValidatorConstraintInterface[];
  }[];
}

/** A pass/fail check of a DTO instance, the same as class-validator's with our options. */
export type DtoCheck = (instance: object) => boolean;

/**
 * Compiles a DTO class's class-validator metadata into a plain pass/fail function, so that a
 * valid row costs a few constraint calls instead of a full `validateSync` (which regroups the
 * metadata and builds error objects on every call). It only says yes when class-validator
 * would: unknown properties fail (whitelist + forbidNonWhitelisted), and `undefined` is returned,
 * meaning "do not compile", for anything it does not mirror exactly: groups, `always`, `each`,
 * nested or promise validation, and async constraints. A failing row is then validated by
 * class-validator itself, for its error messages.
 */
export function compileDtoCheck(dtoClass: new () => object): DtoCheck | undefined {
  const storage = getMetadataStorage();
  const metadata = storage.getTargetValidationMetadatas(dtoClass, '', true, false);
  const checks: PropertyCheck[] = [];
  for (const [property, list] of Object.entries(storage.groupByPropertyName(metadata))) {
    const conditions: PropertyCheck['conditions'][number][] = [];
    const constraints: {
      metadata: ValidationMetadata;
      instances: ValidatorConstraintInterface[];
    }[] = [];
    for (const m of list) {
      if ((m.groups && m.groups.length > 0) || m.always || m.each) return undefined;
      switch (m.type) {
        case ValidationTypes.CONDITIONAL_VALIDATION:
          conditions.push(m.constraints[0] as (object: object, value: unknown) => unknown);
          break;
        case ValidationTypes.IS_DEFINED:
        case ValidationTypes.CUSTOM_VALIDATION: {
          const found = storage.getTargetValidatorConstraints(m.constraintCls);
          if (found.some((c) => c.async)) return undefined;
          constraints.push({ metadata: m, instances: found.map((c) => c.instance) });
          break;
        }
        case ValidationTypes.WHITELIST:
          break; // @Allow: the property is known, nothing to check
        default:
          return undefined; // nested and promise validation
      }
    }
    checks.push({ property, conditions, constraints });
  }
  const known = new Set(checks.map((c) => c.property));
  const targetName = dtoClass.name;
  return (instance) => {
    for (const key of Object.keys(instance)) if (!known.has(key)) return false;
    // One arguments object per call, refilled for each constraint: the constraints are
    // synchronous and only read it, and a bulk load makes millions of these calls.
    const args: { -readonly [K in keyof ValidationArguments]: ValidationArguments[K] } = {
      targetName,
      property: '',
      object: instance,
      value: undefined,
      constraints: [],
    };
    for (const { property, conditions, constraints } of checks) {
      const value = (instance as Record<string, unknown>)[property];
      if (!holds(conditions, instance, value)) continue;
      for (const { metadata, instances } of constraints) {
        if (metadata.validateIf && !metadata.validateIf(instance, value)) continue;
        args.property = property;
        args.value = value;
        args.constraints = metadata.constraints;
        for (const constraint of instances) if (!constraint.validate(value, args)) return false;
      }
    }
    return true;
  };
}

/** Whether every condition holds: a plain loop, as this runs for each property of each row. */
function holds(conditions: PropertyCheck['conditions'], instance: object, value: unknown): boolean {
  for (const condition of conditions) if (!condition(instance, value)) return false;
  return true;
}
