import type { StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidEvent } from './errors.js';
import { findNonJson, isJson } from './json.js';

/** A domain event as an aggregate produces it: its short name and its data. */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/** A payload declared by type only, with no runtime validation: `payload<{ damage: number }>()`. */
export interface Payload<D> {
  /** Carries the type only; never read at run time. */
  readonly '~eventfan.payload': { readonly data?: D };
}

/** Declares an event's data type without a validator. */
export function payload<D = null>(): Payload<D> {
  return { '~eventfan.payload': {} };
}

/** How an event's data is declared: a type-only payload or any Standard Schema validator. */
export type PayloadSpec = Payload<unknown> | StandardSchemaV1;

export type DataOf<P> =
  P extends StandardSchemaV1<unknown, infer O> ? O : P extends Payload<infer D> ? D : never;

/** The union of domain events a set of payload specs describes. */
export type EventsOf<Specs extends Record<string, PayloadSpec>> = {
  [K in keyof Specs & string]: DomainEvent<K, DataOf<Specs[K]>>;
}[keyof Specs & string];

export interface EventFamilyOptions {
  /** The version of the public contract these events are published under, e.g. `1.0`. */
  readonly version: string;
  /** A URI naming where the events come from, e.g. `events://example.com/samples/combat`. */
  readonly source: string;
  /**
   * The versions these events were published under before `version`, oldest first, each with
   * the upcasters that turn its data into the next version's. Replays and subscriptions read
   * older events through them, so handlers and appliers only ever see the current shape.
   */
  readonly history?: readonly VersionStep[];
}

/** How the data of one older version becomes the data of the next. */
export interface VersionStep {
  /** The version this step reads, e.g. `1.0`; it writes the next step's version, or the family's. */
  readonly from: string;
  /** Per short event name: its data in `from` to its data in the next version. Absent: unchanged. */
  readonly upcast: Readonly<Record<string, (data: unknown) => unknown>>;
}

/** A named set of event definitions sharing a version and a source (the crate's event enum). */
export interface EventFamily<E extends DomainEvent = DomainEvent> {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  /** The short names, in declaration order. */
  readonly names: readonly E['type'][];
  /** Builds a typed event. */
  event<T extends E['type']>(
    type: T,
    data: Extract<E, { type: T }>['data'],
  ): Extract<E, { type: T }>;
  /** The external type of a short name: `EntityAttacked` -> `combatevent.entityattacked`. */
  typeOf(type: E['type']): string;
  /** The short name of an external type, or undefined when the family has no such event. */
  nameOf(externalType: string): E['type'] | undefined;
  /** Every version the family reads, oldest first; the last is `version`. */
  readonly versions: readonly string[];
  /**
   * The data of an event published under `version`, in the current version's shape. Throws
   * InvalidEvent for a version the family does not know.
   */
  upcast(type: E['type'], version: string, data: unknown): unknown;
  /**
   * Checks the data against the declared schema (if any) and that it is plain JSON.
   * Returns the validated data (a schema may transform it). Throws InvalidEvent.
   */
  validate(event: DomainEvent, where?: { stream?: string; generation?: number }): Promise<E>;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The seed crate's derivation: `<enum>.<variant>`, lower case. */
export function deriveEventType(family: string, event: string): string {
  return `${family}.${event}`.toLowerCase();
}

/**
 * Defines the events of one family:
 * ```ts
 * const CombatEvent = defineEvents('CombatEvent', { version: '1.0', source: 'events://…/combat' }, {
 *   EntityAttacked: payload<{ entityId: string; damage: number }>(),
 *   RandomEvent: z.object({ a: z.number(), b: z.number() }),
 *   UnitEvent: payload(),
 * });
 * ```
 */
export function defineEvents<const Specs extends Record<string, PayloadSpec>>(
  name: string,
  options: EventFamilyOptions,
  specs: Specs,
): EventFamily<EventsOf<Specs>> {
  type E = EventsOf<Specs>;
  if (!NAME.test(name)) throw new InvalidEvent(`family name "${name}" must match ${NAME}`);
  if (!options.version) throw new InvalidEvent(`family "${name}" needs a version`);
  // A URI has a scheme and no white space or control characters (code points up to U+0020, U+007F).
  const blank = [...options.source].some(
    (c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f,
  );
  if (blank || !/^[a-z][a-z0-9+.-]*:/i.test(options.source)) {
    throw new InvalidEvent(
      `family "${name}" source ${JSON.stringify(options.source)} must be a URI with a scheme, without spaces or control characters`,
    );
  }
  const names = Object.keys(specs) as E['type'][];
  const byType = new Map<string, E['type']>();
  // Each external type is derived once: every envelope of a type then carries the same string.
  const typeByName = new Map<string, string>();
  for (const short of names) {
    if (!NAME.test(short)) throw new InvalidEvent(`event name "${short}" must match ${NAME}`);
    const external = deriveEventType(name, short);
    if (byType.has(external)) {
      throw new InvalidEvent(
        `events "${byType.get(external)}" and "${short}" both derive type "${external}"`,
      );
    }
    byType.set(external, short);
    typeByName.set(short, external);
  }

  const history = options.history ?? [];
  const versions = [...history.map((step) => step.from), options.version];
  if (new Set(versions).size !== versions.length) {
    throw new InvalidEvent(`family "${name}" lists a version twice: ${versions.join(', ')}`);
  }
  return {
    name,
    version: options.version,
    source: options.source,
    names,
    versions,
    upcast(type, version, data) {
      if (version === options.version) return data;
      const from = versions.indexOf(version);
      if (from < 0) {
        throw new InvalidEvent(
          `family "${name}" has no version "${version}" (it reads ${versions.join(', ')})`,
          { type },
        );
      }
      let current = data;
      for (const step of history.slice(from)) {
        const change = Object.hasOwn(step.upcast, type) ? step.upcast[type] : undefined;
        if (!change) continue;
        try {
          current = change(current);
        } catch (error) {
          throw new InvalidEvent(
            `the upcaster of "${type}" from version ${step.from} threw: ${error instanceof Error ? error.message : String(error)}`,
            { type },
          );
        }
      }
      return current;
    },
    event: (type, data) => ({ type, data }) as never,
    typeOf: (type) => typeByName.get(type) ?? deriveEventType(name, type),
    nameOf: (externalType) => byType.get(externalType),
    async validate(event, where = {}) {
      const spec = Object.hasOwn(specs, event.type) ? specs[event.type] : undefined;
      if (!spec) {
        throw new InvalidEvent(
          `family "${name}" has no event "${event.type}" (known: ${names.join(', ')})`,
          where,
        );
      }
      let data: unknown = event.data === undefined ? null : event.data;
      if ('~standard' in spec) {
        let result = spec['~standard'].validate(data);
        if (result instanceof Promise) result = await result;
        if (result.issues) {
          const issues = result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
          throw new InvalidEvent(`data fails its schema: ${issues}`, {
            ...where,
            type: event.type,
          });
        }
        data = result.value;
      }
      const bad = isJson(data) ? undefined : findNonJson(data, '$.data');
      if (bad) {
        throw new InvalidEvent(bad, { ...where, type: event.type, path: bad.split(' ')[0] });
      }
      return { type: event.type, data } as E;
    },
  };
}

function formatPath(path: StandardSchemaV1.Issue['path']): string {
  if (!path || path.length === 0) return '$.data';
  return `$.data${path
    .map((p) => (typeof p === 'object' ? p.key : p))
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
    .join('')}`;
}

/** The event union of a family: `type CombatEvent = EventOf<typeof CombatEvent>`. */
export type EventOf<F> = F extends EventFamily<infer E> ? E : never;
