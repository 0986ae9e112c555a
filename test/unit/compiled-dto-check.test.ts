import 'reflect-metadata';
import {
  Allow,
  IsBoolean,
  IsDate,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
  validateSync,
  registerDecorator,
  IsPositive,
} from 'class-validator';
import fc from 'fast-check';
import { compileDtoCheck } from '../../src/repository/compiled-dto-check';

function IsEven() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isEven',
      target: object.constructor,
      propertyName,
      validator: { validate: (value: unknown) => typeof value === 'number' && value % 2 === 0 },
    });
}

class Wide {
  @IsString() @Length(2, 5) name!: string;
  @IsOptional() @IsInt() @Min(0) @Max(10) count?: number;
  @IsOptional() @IsEmail() email?: string;
  @IsIn(['a', 'b']) kind!: string;
  @IsOptional() @IsBoolean() flag?: boolean;
  @IsOptional() @IsDate() at?: Date;
  @IsDefined() required!: unknown;
  @ValidateIf((o: Wide) => o.kind === 'a') @IsPositive() whenA?: number;
  @IsOptional() @Matches(/^x+$/) xs?: string;
  @IsOptional() @IsEven() even?: number;
  @Allow() anything?: unknown;
}

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };

const value = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer({ min: -3, max: 12 }),
  fc.double({ noNaN: false }),
  fc.constantFrom('', 'a', 'b', 'ab', 'abcdef', 'x', 'xxx', 'a@b.io', 'not mail', 'c'),
  fc.boolean(),
  fc.constant(new Date('2020-01-01')),
  fc.constant(new Date('invalid')),
  fc.constant([1, 2]),
);
const keys = [
  'name',
  'count',
  'email',
  'kind',
  'flag',
  'at',
  'required',
  'whenA',
  'xs',
  'even',
  'anything',
  'extra',
];
const VALID = { name: 'abc', kind: 'a', required: 0, whenA: 3 };
/** Half fully random, half a valid input with up to two changes, so both sides are reached. */
const input = fc.oneof(
  fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: keys.length }),
  fc
    .dictionary(fc.constantFrom(...keys), value, { maxKeys: 2 })
    .map((changes) => ({ ...VALID, ...changes })),
);

describe('compileDtoCheck', () => {
  const check = compileDtoCheck(Wide)!;

  it('compiles a DTO of synchronous built-in, custom and conditional constraints', () => {
    expect(check).toBeDefined();
  });

  it('passes exactly the inputs class-validator passes (2,000 random inputs)', () => {
    let passed = 0;
    fc.assert(
      fc.property(input, (raw) => {
        const instance = Object.assign(new Wide(), raw);
        const expected = validateSync(instance, OPTIONS).length === 0;
        if (expected) passed++;
        expect(check(instance)).toBe(expected);
      }),
      { numRuns: 2000, seed: 7 },
    );
    // The generator must reach the passing side too, or the test proves nothing.
    expect(passed).toBeGreaterThan(100);
  });

  it('passes a hand-built valid input and fails each single fault', () => {
    const valid = { name: 'abc', kind: 'a', required: 0, whenA: 3, count: 10, email: 'a@b.io' };
    expect(check(Object.assign(new Wide(), valid))).toBe(true);
    for (const fault of [
      { name: 'a' },
      { count: 11 },
      { kind: 'z' },
      { required: undefined },
      { whenA: -1 },
      { extra: 1 },
      { even: 3 },
    ]) {
      expect(check(Object.assign(new Wide(), valid, fault))).toBe(false);
    }
    expect(check(Object.assign(new Wide(), valid, { kind: 'b', whenA: -1 }))).toBe(true);
  });

  it('refuses to compile what it does not mirror: nested, each, groups, always', () => {
    class Inner {
      @IsString() a!: string;
    }
    class Nested {
      @ValidateNested() inner!: Inner;
    }
    class Each {
      @IsString({ each: true }) tags!: string[];
    }
    class Grouped {
      @IsString({ groups: ['x'] }) a!: string;
    }
    class Always {
      @IsString({ always: true }) a!: string;
    }
    for (const dto of [Nested, Each, Grouped, Always]) expect(compileDtoCheck(dto)).toBeUndefined();
  });
});
