import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Min,
  registerDecorator,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { ValidationError } from '../../src';
import { DtoValidator } from '../../src/repository/dto-validator';

class Plain {
  @IsString() name!: string;
  @IsOptional() @IsInt() @Min(0) age?: number;
  @IsOptional() @IsString() team: string = 'core'; // a default from an initializer
}

class Address {
  @IsString() city!: string;
}

class Nested {
  @IsString() name!: string;
  @ValidateNested() @Type(() => Address) address!: Address;
}

/** An async constraint: validateSync would silently skip it. */
function IsNotTaken(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isNotTaken',
      target: object.constructor,
      propertyName,
      options,
      async: true,
      validator: { validate: async (value: unknown) => value !== 'taken' },
    });
}

class WithAsync {
  @IsString() @IsNotTaken({ message: 'is taken' }) handle!: string;
}

/** What validating `input` throws or rejects with. */
const failure = async (validator: DtoValidator, input: unknown, index?: number) => {
  try {
    await validator.validate(input, index);
  } catch (error) {
    return error;
  }
  return undefined;
};

const fieldsOf = async (validator: DtoValidator, input: unknown) => {
  const error = await failure(validator, input);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).fields.map((f) => f.field).sort();
};

describe('DtoValidator', () => {
  it('returns the defined properties, with initializer defaults, and drops undefined', async () => {
    const v = new DtoValidator('E', Plain);
    expect(await v.validate({ name: 'a', age: undefined })).toEqual({ name: 'a', team: 'core' });
    expect(await v.validate({ name: 'a', age: 3, team: 'x' })).toEqual({
      name: 'a',
      age: 3,
      team: 'x',
    });
  });

  it('lists every field at fault, and refuses unknown properties', async () => {
    const v = new DtoValidator('E', Plain);
    expect(await fieldsOf(v, { name: 1, age: -1, extra: true })).toEqual(['age', 'extra', 'name']);
    expect(await fieldsOf(v, null)).toEqual(['$input']);
    expect(await fieldsOf(v, [])).toEqual(['$input']);
  });

  it('keeps class-transformer for DTOs that need it: nested objects are validated', async () => {
    const v = new DtoValidator('E', Nested);
    expect(await fieldsOf(v, { name: 'a', address: { city: 5 } })).toEqual(['address.city']);
    expect(await v.validate({ name: 'a', address: { city: 'Oslo' } })).toMatchObject({
      address: { city: 'Oslo' },
    });
  });

  it('keeps async validation for DTOs with async constraints', async () => {
    const v = new DtoValidator('E', WithAsync);
    expect(await fieldsOf(v, { handle: 'taken' })).toEqual(['handle']);
    expect(await v.validate({ handle: 'free' })).toEqual({ handle: 'free' });
  });

  it('reports the bulk input index', async () => {
    const error = await failure(new DtoValidator('E', Plain), {}, 7);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', index: 7 });
  });

  it('answers synchronously where the compiled check covers the class, and asynchronously otherwise', async () => {
    expect(new DtoValidator('E', Plain).validate({ name: 'a' })).not.toBeInstanceOf(Promise);
    expect(() => new DtoValidator('E', Plain).validate({ name: 1 })).toThrow(ValidationError);
    const slow = new DtoValidator('E', WithAsync).validate({ handle: 'free' });
    expect(slow).toBeInstanceOf(Promise);
    expect(await slow).toEqual({ handle: 'free' });
  });
});
