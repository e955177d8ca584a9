import { Partitioners, type ICustomPartitioner, type Message } from 'kafkajs';

/**
 * The partition kafkajs's partitioner chose for each record sent through a producer built with
 * `partitioner()`, so a receipt can give each event its own offset within a coalesced request.
 * Keyed by the record object: no field is added to what is sent.
 */
export class ChosenPartitions {
  readonly #chosen = new WeakMap<Message, number>();

  /** `create` (default: the Java-compatible murmur2 partitioner), remembering its choices. */
  partitioner(create: ICustomPartitioner = Partitioners.DefaultPartitioner): ICustomPartitioner {
    return () => {
      const choose = create();
      return (args) => {
        const partition = choose(args);
        this.#chosen.set(args.message, partition);
        return partition;
      };
    };
  }

  of(message: Message): number | undefined {
    return this.#chosen.get(message);
  }
}
