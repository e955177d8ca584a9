import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loggingConfig, newClusterId, serverProperties } from './kafka-config.js';
import type { KafkaPorts, LocalKafkaOptions } from './kafka-config.js';
import { kafkaAnswers } from './kafka-probe.js';
import { killOnExit, ManagedProcess } from './process.js';

/**
 * Where Kafka's jars are: `$EVENTFAN_KAFKA_HOME/libs` (a Kafka distribution or any folder with a
 * libs/ of jars), then the repo's `.cache/kafka/libs` (filled by scripts/fetch-kafka.sh);
 * undefined when neither holds the broker jar.
 */
export function findKafkaLibs(): string | undefined {
  const home = process.env['EVENTFAN_KAFKA_HOME'];
  // src/brokers and dist/brokers are both four levels below the repo root.
  const cached = fileURLToPath(new URL('../../../../.cache/kafka', import.meta.url));
  const libs = join(home ?? cached, 'libs');
  return kafkaJar(libs) ? libs : undefined;
}

/** The broker jar's file name (it carries the version), if `libs` has one. */
export function kafkaJar(libs: string): string | undefined {
  if (!existsSync(libs)) return undefined;
  return readdirSync(libs).find((name) => /^kafka_2\.1\d-[\d.]+\.jar$/.test(name));
}

/** `$JAVA_HOME/bin/java` when set, else `java` from PATH; undefined when it does not run. */
export function findJava(): string | undefined {
  const home = process.env['JAVA_HOME'];
  const java = home ? join(home, 'bin', 'java') : 'java';
  return spawnSync(java, ['-version'], { stdio: 'ignore' }).status === 0 ? java : undefined;
}

const READY_TIMEOUT_MS = 90_000;
const JVM_OPTIONS = ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', '-Djava.awt.headless=true'];

/**
 * One single-node KRaft Kafka (broker + controller) in `dir`, stoppable and restartable on the same
 * ports and log dir.
 */
export class KafkaProcess {
  private readonly configFile: string;
  private readonly logFile: string;
  private readonly server: ManagedProcess;

  constructor(
    private readonly java: string,
    private readonly libs: string,
    private readonly dir: string,
    readonly ports: KafkaPorts,
    private readonly options: LocalKafkaOptions,
  ) {
    this.configFile = join(dir, 'server.properties');
    this.logFile = join(dir, 'server.log');
    this.server = new ManagedProcess({
      spawn: () => this.spawnJava('kafka.Kafka', [this.configFile]),
      ready: () => this.waitUntilAnswering(),
      exitedEarly: (how) => `Kafka exited (${how}) before it answered:\n${this.tail()}`,
      keepLines: 30,
      // SIGTERM for a controlled shutdown (logs flushed, clean restart); SIGKILL if it hangs.
      stopGraceMs: 20_000,
    });
  }

  get version(): string {
    return /kafka_2\.1\d-([\d.]+)\.jar/.exec(kafkaJar(this.libs) ?? '')?.[1] ?? 'unknown';
  }

  /** Writes the config and formats the KRaft log dir; once, before the first start. */
  async format(): Promise<void> {
    const logging = loggingConfig(this.logFile);
    await writeFile(
      this.configFile,
      serverProperties(this.ports, join(this.dir, 'data'), this.options),
    );
    await writeFile(join(this.dir, 'log4j2.properties'), logging.log4j2);
    await writeFile(join(this.dir, 'log4j.properties'), logging.log4j);
    // One argument: a base64url id may start with '-', which the tool would read as an option.
    const args = ['format', `--cluster-id=${newClusterId()}`, '-c', this.configFile];
    const result = await this.run('kafka.tools.StorageTool', args);
    if (result.code !== 0) {
      throw new Error(
        `Formatting Kafka's log dir in ${this.dir} failed (exit ${result.code}):\n${result.output}`,
      );
    }
  }

  start(): Promise<void> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** SIGKILL: the JVM dies without a controlled shutdown; the next start recovers the log. */
  kill(): Promise<void> {
    return this.server.kill();
  }

  /** Freezes the JVM (SIGSTOP; setpriv execs java, so the child is the JVM). */
  pause(): void {
    this.server.pause();
  }

  resume(): void {
    this.server.resume();
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await kafkaAnswers(this.ports.broker, 2_000)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `Kafka on 127.0.0.1:${this.ports.broker} did not answer within ${READY_TIMEOUT_MS} ms:\n${this.tail()}`,
    );
  }

  private tail(): string {
    const log = existsSync(this.logFile)
      ? readFileSync(this.logFile, 'utf8').split('\n').slice(-30)
      : [];
    return [...this.server.output, ...log].join('\n');
  }

  private spawnJava(mainClass: string, args: readonly string[]): ChildProcess {
    const javaArgs = [
      ...JVM_OPTIONS,
      `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.properties')}`,
      `-Dlog4j.configuration=file:${join(this.dir, 'log4j.properties')}`,
      '-cp',
      join(this.libs, '*'),
      mainClass,
      ...args,
    ];
    // setpriv makes the kernel kill the JVM when this process dies, however it dies.
    const [command, commandArgs] = setpriv
      ? ['setpriv', ['--pdeathsig', 'KILL', '--', this.java, ...javaArgs]]
      : [this.java, javaArgs];
    return spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir });
  }

  private run(
    mainClass: string,
    args: readonly string[],
  ): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = this.spawnJava(mainClass, args);
      killOnExit(child);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, output }));
    });
  }
}

const setpriv = spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
