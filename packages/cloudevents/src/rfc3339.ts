const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** RFC 3339 `date-time`, read by hand: every event has one, and a regex match allocates. */
export function isRfc3339(value: string): boolean {
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  const t = value.charCodeAt(10);
  if (
    value.charCodeAt(4) !== DASH ||
    value.charCodeAt(7) !== DASH ||
    (t !== 0x54 && t !== 0x74) || // T or t
    value.charCodeAt(13) !== COLON ||
    value.charCodeAt(16) !== COLON ||
    year < 0 ||
    month < 1 ||
    day < 1 ||
    day > days ||
    !inRange(digits(value, 11, 2), 23) ||
    !inRange(digits(value, 14, 2), 59) ||
    !inRange(digits(value, 17, 2), 60) // leap second
  ) {
    return false;
  }
  let at = 19;
  if (value.charCodeAt(at) === 0x2e) {
    const start = ++at;
    while (isDigit(value.charCodeAt(at))) at++;
    if (at === start) return false;
  }
  const zone = value.charCodeAt(at);
  if (zone === 0x5a || zone === 0x7a) return at + 1 === value.length; // Z or z
  return (
    (zone === 0x2b || zone === DASH) &&
    at + 6 === value.length &&
    value.charCodeAt(at + 3) === COLON &&
    inRange(digits(value, at + 1, 2), 23) &&
    inRange(digits(value, at + 4, 2), 59)
  );
}

const DASH = 0x2d;
const COLON = 0x3a;

/** The decimal number in `value` at `at`, `length` digits long; -1 when they are not digits. */
function digits(value: string, at: number, length: number): number {
  let number = 0;
  for (let i = at; i < at + length; i++) {
    const code = value.charCodeAt(i);
    if (!isDigit(code)) return -1;
    number = number * 10 + code - 0x30;
  }
  return number;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function inRange(number: number, max: number): boolean {
  return number >= 0 && number <= max;
}
