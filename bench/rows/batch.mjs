// Issue 3's rows (drain from Kafka; batch top25 on 1M and 10M purchases), measured by bench/batch.mjs,
// which also runs on its own (node bench/batch.mjs --help for its flags).
export { measure } from '../batch.mjs';
