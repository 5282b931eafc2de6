/**
 * An integer with commas between groups of three digits, as `n.toLocaleString('en-US')` writes it
 * ("1,000,000"), without Intl: the rule texts are built when a module loads, and the first
 * `toLocaleString` of a process loads ICU's number data (~24 ms of a cold start, issue 22).
 * Large integers keep the digits JavaScript prints for them and zeros after, as ICU does.
 */
export function groupThousands(n: number): string {
  // fractions, infinities and NaN: no count the callers print is one, so ICU is loaded only here
  if (!Number.isInteger(n)) return n.toLocaleString('en-US');
  const [mantissa, exponent] = Math.abs(n).toExponential().split('e');
  const digits = mantissa!.replace('.', '').padEnd(Number(exponent) + 1, '0');
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  return sign + digits.replace(/\B(?=(\d{3})+$)/g, ',');
}
