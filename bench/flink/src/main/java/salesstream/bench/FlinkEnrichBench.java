package salesstream.bench;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The Flink reference for `salesstream stream enrich` (issue 9): purchases joined with the catalog
 * from Kafka to Kafka in a local mini-cluster, exactly-once (checkpoints every second, a
 * transactional sink, read-committed sources), over bounded sources (earliest to the latest offsets
 * at start), so the job ends by itself once both topics are read and the last transaction is
 * committed.
 *   temporal: Flink SQL's event-time temporal join (FOR SYSTEM_TIME AS OF) against a versioned view
 *             of the catalog — the join `stream enrich` does
 *   regular:  the original demo's regular join (every catalog record joins every purchase, and
 *             every purchase stays in state for ever)
 * The output is `stream enrich`'s record for record: the same fields in the same order, money as
 * DECIMAL(10,2) (1.50, 0.10, as the original job wrote it), keyed by product_id.
 *
 * Usage: FlinkEnrichBench <temporal|regular> <brokers> <purchases> <products> <sink> <checkpoint-dir>
 *          [--parallelism 1] [--checkpoint-ms 1000] [--state hashmap|rocksdb]
 * Prints: RESULT mode=… seconds=S setup_s=P  — S from the job's submission to its end (tasks
 * deployed, topics read, joined, written, last checkpoint committed); P before it: planning, code
 * generation and the mini-cluster's start.
 */
public class FlinkEnrichBench {
  public static void main(String[] args) throws Exception {
    long begun = System.nanoTime();
    String mode = args[0], brokers = args[1], purchases = args[2], products = args[3], sink = args[4], checkpointDir = args[5];
    Map<String, String> opt = new HashMap<>(Map.of("--parallelism", "1", "--checkpoint-ms", "1000", "--state", "hashmap"));
    for (int i = 6; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
    int parallelism = Integer.parseInt(opt.get("--parallelism"));

    Configuration conf = new Configuration();
    // state: hashmap (on the heap, full snapshots) or rocksdb (incremental checkpoints). Checkpoints
    // go to files: the default, the JobManager's memory, refuses state over 5 MB and fails the job
    // (which then restarted for ever: the regular join keeps every purchase in state).
    conf.setString("state.backend.type", opt.get("--state"));
    conf.setString("state.backend.incremental", "true");
    conf.setString("state.checkpoints.dir", "file://" + checkpointDir);
    conf.setString("execution.checkpointing.checkpoints-after-tasks-finish.enabled", "true");
    conf.setString("restart-strategy.type", "none"); // a failure ends the run instead of hiding in retries
    conf.setString("pipeline.object-reuse", "true");
    conf.setString("taskmanager.numberOfTaskSlots", String.valueOf(parallelism));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    env.enableCheckpointing(Long.parseLong(opt.get("--checkpoint-ms")), CheckpointingMode.EXACTLY_ONCE);
    StreamTableEnvironment t = StreamTableEnvironment.create(env);
    t.getConfig().set("table.local-time-zone", "UTC"); // transaction_timestamp reads transaction_time as UTC
    // a source without new records (the catalog, most of the time) must not hold the join back;
    // not shorter: a catalog source idle before its first records would let purchases pass
    // unjoined (the bounded catalog ends within seconds, and its end releases the join anyway)
    t.getConfig().set("table.exec.source.idle-timeout", "10 s");

    String id = "flink-bench-" + mode + "-" + Long.toHexString(System.nanoTime());
    String source = "'connector'='kafka','properties.bootstrap.servers'='" + brokers + "','properties.group.id'='" + id + "',"
        + "'properties.isolation.level'='read_committed','scan.startup.mode'='earliest-offset','scan.bounded.mode'='latest-offset',"
        + "'format'='json','json.ignore-parse-errors'='true'";
    t.executeSql("CREATE TABLE purchases (transaction_time STRING, transaction_id STRING, product_id STRING, price DECIMAL(10,2),"
        + " quantity INT, is_member BOOLEAN, member_discount DECIMAL(10,2), add_supplements BOOLEAN, supplement_price DECIMAL(10,2),"
        + " total_purchase DECIMAL(10,2), ts AS TO_TIMESTAMP(transaction_time, 'yyyy-MM-dd HH:mm:ss.SSSSSS'),"
        + " WATERMARK FOR ts AS ts - INTERVAL '10' MINUTE) WITH (" + source + ",'topic'='" + purchases + "')");
    // the catalog's watermark lags 10 minutes as `stream enrich --watermark 10m` does
    t.executeSql("CREATE TABLE products (event_time STRING, product_id STRING, category STRING, item STRING, size STRING,"
        + " cogs DECIMAL(10,2), price DECIMAL(10,2), inventory_level INT, contains_fruit BOOLEAN, contains_veggies BOOLEAN,"
        + " contains_nuts BOOLEAN, contains_caffeine BOOLEAN, propensity_to_buy INT,"
        + " ts AS TO_TIMESTAMP(event_time, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), WATERMARK FOR ts AS ts - INTERVAL '10' MINUTE)"
        + " WITH (" + source + ",'topic'='" + products + "')");
    t.executeSql("CREATE TABLE enriched (transaction_time STRING, transaction_timestamp BIGINT, transaction_id STRING, product_id STRING,"
        + " product_category STRING, product_name STRING, product_size STRING, product_cogs DECIMAL(10,2), product_price DECIMAL(10,2),"
        + " contains_fruit BOOLEAN, contains_veggies BOOLEAN, contains_nuts BOOLEAN, contains_caffeine BOOLEAN,"
        + " purchase_price DECIMAL(10,2), purchase_quantity INT, is_member BOOLEAN, member_discount DECIMAL(10,2),"
        + " add_supplements BOOLEAN, supplement_price DECIMAL(10,2), total_purchase DECIMAL(10,2))"
        + " WITH ('connector'='kafka','properties.bootstrap.servers'='" + brokers + "','topic'='" + sink + "',"
        + " 'key.format'='raw','key.fields'='product_id','value.format'='json','value.fields-include'='ALL',"
        + " 'sink.delivery-guarantee'='exactly-once','sink.transactional-id-prefix'='" + id + "',"
        + " 'properties.transaction.timeout.ms'='600000')");
    // transaction_timestamp from the parsed time (UNIX_TIMESTAMP would parse the text again; it
    // took an eighth of the join's thread)
    String fields = "p.transaction_time,"
        + " 1000 * CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', p.ts) AS BIGINT) + EXTRACT(MILLISECOND FROM p.ts) % 1000,"
        + " p.transaction_id, p.product_id,"
        + " v.category, v.item, v.size, v.cogs, v.price, v.contains_fruit, v.contains_veggies, v.contains_nuts, v.contains_caffeine,"
        + " p.price, p.quantity, p.is_member, p.member_discount, p.add_supplements, p.supplement_price, p.total_purchase";
    String query;
    if (mode.equals("temporal")) {
      // the catalog as a versioned table: the latest version per product_id by event time
      t.executeSql("CREATE VIEW versioned_products AS SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY ts DESC)"
          + " AS rownum FROM products) WHERE rownum = 1");
      query = "INSERT INTO enriched SELECT " + fields + " FROM purchases p JOIN versioned_products FOR SYSTEM_TIME AS OF p.ts AS v"
          + " ON p.product_id = v.product_id";
    } else if (mode.equals("regular")) {
      query = "INSERT INTO enriched SELECT " + fields + " FROM purchases p JOIN products v ON p.product_id = v.product_id";
    } else {
      throw new IllegalArgumentException("mode must be temporal or regular: " + mode);
    }
    TableResult result = t.executeSql(query); // returns once the job is submitted
    long submitted = System.nanoTime();
    JobClient job = result.getJobClient().orElseThrow();
    job.getJobExecutionResult().get();
    long ended = System.nanoTime();
    System.out.println("RESULT mode=" + mode + " seconds=" + (ended - submitted) / 1e9 + " setup_s=" + (submitted - begun) / 1e9
        + " parallelism=" + parallelism + " state=" + opt.get("--state") + " checkpoint_ms=" + opt.get("--checkpoint-ms"));
    System.exit(0);
  }
}
