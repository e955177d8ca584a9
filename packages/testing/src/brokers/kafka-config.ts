import { randomBytes } from 'node:crypto';

/** How a local Kafka is configured beyond the single-node KRaft basics. */
export interface LocalKafkaOptions {
  /** `auto.create.topics.enable`; Kafka's default is true. */
  readonly autoCreateTopics?: boolean;
  /**
   * Turn on ACLs (`StandardAuthorizer`) while letting everyone do everything no ACL names, so a
   * test can deny one topic to the anonymous principal and see the authorization error.
   */
  readonly acls?: boolean;
  /** More `server.properties` entries; they win over the fixture's own. */
  readonly properties?: Readonly<Record<string, string>>;
}

export interface KafkaPorts {
  readonly broker: number;
  readonly controller: number;
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (Kafka's `Uuid` text form). */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * `server.properties` for one node that is broker and controller at once, on 127.0.0.1 only, with
 * every internal topic at replication factor 1 so transactions and consumer groups work.
 */
export function serverProperties(
  ports: KafkaPorts,
  logDir: string,
  options: LocalKafkaOptions = {},
): string {
  const entries: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${ports.controller}`,
    listeners: `PLAINTEXT://127.0.0.1:${ports.broker},CONTROLLER://127.0.0.1:${ports.controller}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${ports.broker}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': String(options.autoCreateTopics ?? true),
    ...(options.acls
      ? {
          'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
          'allow.everyone.if.no.acl.found': 'true',
        }
      : {}),
    ...options.properties,
  };
  return Object.entries(entries)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')
    .concat('\n');
}

/**
 * Logging for the broker: warnings and up into `logFile` (read back when it fails to start), both
 * as log4j2 (Kafka 4.x) and log4j 1 (Kafka 3.x jars) so either generation stays quiet.
 */
export function loggingConfig(logFile: string): { log4j2: string; log4j: string } {
  return {
    log4j2: [
      'status = error',
      'appender.file.type = File',
      'appender.file.name = file',
      `appender.file.fileName = ${logFile}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = WARN',
      'rootLogger.appenderRef.file.ref = file',
      '',
    ].join('\n'),
    log4j: [
      'log4j.rootLogger=WARN, file',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      `log4j.appender.file.File=${logFile}`,
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      '',
    ].join('\n'),
  };
}
