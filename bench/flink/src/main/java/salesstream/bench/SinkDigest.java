package salesstream.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What an enriched topic holds, read committed, in an order-free digest, so the bench can tell
 * whether salesstream and Flink wrote the same records (the same key, the same fields in the same
 * order with the same values) however they ordered them. Numbers are compared by value: Flink's
 * JSON writer drops a decimal's trailing zeros (2.1 where salesstream writes 2.10).
 * Usage: SinkDigest <brokers> <topic>
 * Prints: DIGEST records=N sum=H  (H: the sum of every record's SHA-256, first 8 bytes, mod 2^64)
 */
public class SinkDigest {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("max.partition.fetch.bytes", String.valueOf(8 << 20));
    long records = 0, sum = 0;
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(args[1]).forEach((i) -> parts.add(new TopicPartition(i.topic(), i.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts); // read committed: the last stable offsets
      while (parts.stream().anyMatch((tp) -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(1))) {
          if (r.key() != null) sha.update(r.key());
          sha.update((byte) 0);
          if (r.value() != null) sha.update(canonical(r.value()).getBytes(StandardCharsets.UTF_8));
          sum += ByteBuffer.wrap(sha.digest()).getLong();
          records++;
        }
      }
    }
    System.out.println("DIGEST records=" + records + " sum=" + Long.toHexString(sum));
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** name=value for each field in order, numbers without trailing zeros; not JSON: the bytes. */
  static String canonical(byte[] value) {
    StringBuilder s = new StringBuilder();
    try {
      JSON.readTree(value).fields().forEachRemaining((f) -> {
        JsonNode v = f.getValue();
        s.append(f.getKey()).append('=');
        if (v.isNumber()) s.append(v.decimalValue().stripTrailingZeros().toPlainString());
        else s.append(v.toString());
        s.append(',');
      });
      return s.toString();
    } catch (Exception notJson) {
      return new String(value, StandardCharsets.ISO_8859_1);
    }
  }
}
