const LOW = Date.parse('0000-01-01T00:00:00.000Z');
const HIGH = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * `count` instants spread over years 0–9999, denser near the present, plus edge cases (epoch,
 * leap days, DST changes); the same on every run.
 */
export function instants(count: number): Date[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const edges = [
    '0000-01-01T00:00:00.000Z',
    '0001-01-01T00:00:00.000Z',
    '1899-12-31T23:59:59.999Z',
    '1969-12-31T23:59:59.999Z',
    '1970-01-01T00:00:00.000Z',
    '2000-02-29T12:34:56.789Z',
    '2024-03-31T01:30:00.000Z',
    '2024-10-27T00:59:59.999Z',
    '9999-12-31T23:59:59.999Z',
  ].map((iso) => new Date(iso));
  const spread = Array.from(
    { length: count },
    () => new Date(LOW + Math.floor(random() * random() * (HIGH - LOW))),
  );
  return [...edges, ...spread];
}
