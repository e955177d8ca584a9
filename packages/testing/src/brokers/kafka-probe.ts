import { createConnection } from 'node:net';

const API_VERSIONS = 18;
const CORRELATION_ID = 0x0e7e;
const CLIENT_ID = 'eventfan-probe';

/**
 * True when a Kafka broker on 127.0.0.1:`port` answers an ApiVersions request without error. A
 * KRaft broker opens its client listener only once it has caught up with the metadata log, so an
 * answer means clients can work. Speaks the wire protocol directly: the fixture needs no client.
 */
export function kafkaAnswers(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(apiVersionsRequest()));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // size, correlation id, error code: enough to know whether it answered well.
      if (received.length < 10) return;
      done(received.readInt32BE(4) === CORRELATION_ID && received.readInt16BE(8) === 0);
    });
  });
}

/** ApiVersions v0: request header v1 (api key, version, correlation id, client id), empty body. */
function apiVersionsRequest(): Buffer {
  const clientId = Buffer.from(CLIENT_ID);
  const body = Buffer.alloc(10 + clientId.length);
  body.writeInt16BE(API_VERSIONS, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(CORRELATION_ID, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}
