/**
 * The headline lines a benchmark prints, unindented (table rows are indented and stay prose, unless
 * they read `<label>: ratio <x>`):
 *   `<label>: ratio <x>x`        e.g. `relay nats: ratio 0.94x (target >= 0.9)`
 *   `<label>: <n> events/s`      e.g. `concurrent nats: 19,800 events/s`
 *   `<label>: <n> <unit>`        e.g. `replay memory esdb: 1.02x`, `heap per event: 510 bytes`
 * A target is read from the line itself (`target >= 0.9`, `target ≤ 1.15`), else from TARGETS.
 */

export interface Target {
  readonly op: '>=' | '<=';
  readonly value: number;
}

export interface Headline {
  readonly label: string;
  readonly value: number;
  /** `x` for ratios, else what followed the number (`events/s`, `MB`…); '' when nothing did. */
  readonly unit: string;
  readonly target?: Target;
  /** Against the target; absent without one. */
  readonly pass?: boolean;
  /** The line as printed. */
  readonly line: string;
}

/**
 * Targets the issues set, for lines that do not print their own (first match wins). Micro-benchmarks
 * have none: they say where time goes, not what to reach.
 */
const TARGETS: readonly (readonly [RegExp, Target])[] = [
  [/^fan-?out\b/i, { op: '<=', value: 1.15 }],
  [/^emmett\b/i, { op: '>=', value: 1.5 }],
  [/^relay\b/i, { op: '>=', value: 0.9 }],
  [/^subscribe\b/i, { op: '>=', value: 0.9 }],
  [/^(dispatch|publish|append)\b.*\b(kafka|nats|esdb)\b/i, { op: '>=', value: 0.9 }],
  [/^(kafka|nats|esdb)\b.*\b(dispatch|publish|append)/i, { op: '>=', value: 0.9 }],
  // kafka.bench's and nats.bench's dispatcher/publisher against the raw client, one dispatch at a time
  [/^single (kafka|nats)\b/i, { op: '>=', value: 0.9 }],
];

const HEADLINE =
  /^(?<label>[^\s:][^:]{0,79}?):\s+(?<ratio>ratio\s+(?:to\s+(?<against>[\w.-]+)\s+)?)?(?<value>-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?<unit>[x×](?![\w])|[^\s(),;]*)(?<rest>.*)$/;
const TARGET = /target\s*(?<op>>=|≥|<=|≤)\s*(?<value>\d+(?:\.\d+)?)/i;
// eslint-disable-next-line no-control-regex -- colour codes some tools print
const COLOURS = /\u001b\[[0-9;]*m/g;

/** Every headline line of a benchmark's output, in order. */
export function parseHeadlines(output: string): Headline[] {
  const headlines: Headline[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.replace(COLOURS, '').trimEnd();
    const match = HEADLINE.exec(line.trimStart())?.groups;
    if (!match || /error|warn/i.test(match['label'] as string)) continue;
    // A table row counts only when it says `<label>: ratio <x>`: other rows are prose.
    if (line !== line.trimStart() && match['ratio'] === undefined) continue;
    // `<label>: ratio to <baseline> <x>` names what it is a ratio to: `<label> to <baseline>`.
    const against = match['against'];
    const label = `${(match['label'] as string).trim()}${against ? ` to ${against}` : ''}`;
    const isRatio = match['ratio'] !== undefined || /^[x×]$/.test(match['unit'] as string);
    // Past the figure only one parenthesis, unless the line says `ratio`: a title goes on in prose.
    const rest = (match['rest'] as string).trim();
    if (match['ratio'] === undefined && rest !== '' && !/^\([^()]*\)$/.test(rest)) continue;
    const value = Number((match['value'] as string).replaceAll(',', ''));
    const unit = isRatio ? 'x' : (match['unit'] as string);
    const target = targetIn(rest) ?? (isRatio ? knownTarget(label) : undefined);
    headlines.push({
      label,
      value,
      unit,
      ...(target ? { target, pass: meets(value, target) } : {}),
      line,
    });
  }
  return headlines;
}

function targetIn(text: string): Target | undefined {
  const found = TARGET.exec(text)?.groups;
  if (!found) return undefined;
  const op = found['op'] === '>=' || found['op'] === '≥' ? '>=' : '<=';
  return { op, value: Number(found['value']) };
}

function knownTarget(label: string): Target | undefined {
  return TARGETS.find(([pattern]) => pattern.test(label))?.[1];
}

export function meets(value: number, target: Target): boolean {
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

export function formatTarget(target: Target | undefined): string {
  return target ? `${target.op === '>=' ? '≥' : '≤'} ${target.value}×` : '—';
}
