const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DASH = 0x2d;
const COLON = 0x3a;

const MINUTE_LENGTH = 16; // `yyyy-mm-ddThh:mm`

/**
 * RFC 3339 `date-time`, read by hand: every event has one, and a regex match allocates. Fixed
 * positions are read two digits at a time; the leap-year rule only runs for days past the 28th.
 * `knownGood`, a timestamp found valid before: events come in bursts within one minute, so when
 * `value` starts with the same date, hour and minute only its seconds and zone are read.
 */
export function isRfc3339(value: string, knownGood?: string): boolean {
  if (value.length < 20) return false;
  const sameMinute = knownGood !== undefined && sharesMinute(value, knownGood);
  return (sameMinute || isDateHourMinute(value)) && isSecondsAndZone(value);
}

/** Whether both start with the same 16 characters, compared in place (a slice would allocate). */
function sharesMinute(value: string, knownGood: string): boolean {
  for (let at = 0; at < MINUTE_LENGTH; at++) {
    if (value.charCodeAt(at) !== knownGood.charCodeAt(at)) return false;
  }
  return true;
}

/** `yyyy-mm-ddThh:mm`, a real calendar day. */
function isDateHourMinute(value: string): boolean {
  const century = twoDigits(value, 0);
  const yearOfCentury = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const t = value.charCodeAt(10);
  return (
    century >= 0 &&
    yearOfCentury >= 0 &&
    value.charCodeAt(4) === DASH &&
    value.charCodeAt(7) === DASH &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    (day <= 28 || day <= daysIn(month, century * 100 + yearOfCentury)) &&
    (t === 0x54 || t === 0x74) && // T or t
    value.charCodeAt(13) === COLON &&
    inRange(twoDigits(value, 11), 23) &&
    inRange(twoDigits(value, 14), 59)
  );
}

/** `:ss`, an optional fraction, then `Z` or a `+hh:mm`/`-hh:mm` offset, ending the value. */
function isSecondsAndZone(value: string): boolean {
  if (value.charCodeAt(16) !== COLON || !inRange(twoDigits(value, 17), 60)) return false; // 60: leap second
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
    inRange(twoDigits(value, at + 1), 23) &&
    inRange(twoDigits(value, at + 4), 59)
  );
}

function daysIn(month: number, year: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1] as number;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** The two-digit decimal number in `value` at `at`; -1 when they are not digits. */
function twoDigits(value: string, at: number): number {
  const high = value.charCodeAt(at);
  const low = value.charCodeAt(at + 1);
  return isDigit(high) && isDigit(low) ? (high - 0x30) * 10 + low - 0x30 : -1;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function inRange(number: number, max: number): boolean {
  return number >= 0 && number <= max;
}
