// Kafka tests share a broker: each file deletes what it created (topics, and the consumer groups
// named after them) once its tests are done.
import kafkajs from 'kafkajs';
import { afterAll } from 'vitest';
import { uniqueTopic, uniqueTopics, type TestTopics } from '../helpers/cli.js';

export interface TopicNames {
  /** A unique topic name, deleted after the file's tests, with every topic and group named after it. */
  topic(base: string): string;
  /** Unique products/purchases/inventories names, likewise. */
  topics(base: string): TestTopics;
}

export function deletedAfterAll(brokers: string): TopicNames {
  const prefixes: string[] = [];
  afterAll(async () => {
    if (!brokers || !prefixes.length) return;
    const ours = (name: string) => prefixes.some((p) => name === p || name.startsWith(`${p}.`));
    const admin = new kafkajs.Kafka({ brokers: brokers.split(','), logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter(ours);
      if (groups.length) await admin.deleteGroups(groups).catch(() => undefined); // a group still in use stays
      const topics = (await admin.listTopics()).filter(ours);
      if (topics.length) await admin.deleteTopics({ topics });
    } finally {
      await admin.disconnect();
    }
  }, 120_000);
  return {
    topic: (base) => {
      const name = uniqueTopic(base);
      prefixes.push(name);
      return name;
    },
    topics: (base) => {
      const names = uniqueTopics(base);
      prefixes.push(names.purchases.slice(0, -'.purchases'.length));
      return names;
    },
  };
}
