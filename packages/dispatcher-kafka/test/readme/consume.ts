import { fromKafkaRecord } from '@eventfan/cloudevents';
import { Kafka } from 'kafkajs';

const brokers = (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(',');
const consumer = new Kafka({ clientId: 'combat-projection', brokers }).consumer({
  groupId: 'combat-projection',
});
await consumer.connect();
await consumer.subscribe({ topics: ['combat'], fromBeginning: true });

const seen = new Set<string>(); // at least once: drop a re-sent event by its CloudEvents id
await new Promise<void>((done) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      const event = fromKafkaRecord(message); // binary or structured: { id, type, subject, data, … }
      if (seen.has(event.id)) return;
      seen.add(event.id);
      console.log(event.subject, event.type, event.data);
      done(); // this example stops after the first event
    },
  });
});

await consumer.disconnect();
