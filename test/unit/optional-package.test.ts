import { ConfigurationError } from '../../src';
import { optionalPackage } from '../../src/dialects/optional-package';

describe('optional peer dependencies', () => {
  it('a package that is not installed is a ConfigurationError naming it and the feature', () => {
    const load = () => optionalPackage('tbr-no-such-package', 'Testing the loader');
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(
      'Testing the loader needs the package tbr-no-such-package: npm install tbr-no-such-package',
    );
  });

  it('an installed package is loaded', () => {
    expect(
      optionalPackage<typeof import('pg-copy-streams')>('pg-copy-streams', 'COPY').from,
    ).toBeInstanceOf(Function);
  });
});
