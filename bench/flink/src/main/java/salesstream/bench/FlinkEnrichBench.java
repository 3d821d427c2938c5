package salesstream.bench;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The Flink reference for `salesstream stream enrich` (issue 9): purchases joined with the catalog
 * from Kafka to Kafka in a local mini-cluster, exactly-once (checkpoints every 1 s, transactional
 * sink), over bounded sources (earliest to the latest offsets at start).
 *   regular:  the original demo's regular join (every catalog record joins every purchase)
 *   temporal: Flink SQL's event-time temporal join against a versioned view of the catalog
 * Usage: FlinkEnrichBench <regular|temporal> <brokers> <purchases> <products> <sink>
 * Prints: RESULT mode=... seconds=...
 */
public class FlinkEnrichBench {
  public static void main(String[] args) throws Exception {
    String mode = args[0], brokers = args[1], purchases = args[2], products = args[3], sink = args[4];
    Configuration conf = new Configuration();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    env.enableCheckpointing(1000, CheckpointingMode.EXACTLY_ONCE);
    StreamTableEnvironment t = StreamTableEnvironment.create(env);
    String kafka = "'connector'='kafka','properties.bootstrap.servers'='" + brokers + "','properties.group.id'='flink-bench-" + System.nanoTime()
        + "','scan.startup.mode'='earliest-offset','scan.bounded.mode'='latest-offset','format'='json','json.ignore-parse-errors'='true'";
    t.executeSql("CREATE TABLE purchases (transaction_time STRING, transaction_id STRING, product_id STRING, price DOUBLE, quantity INT, is_member BOOLEAN,"
        + " member_discount DOUBLE, add_supplements BOOLEAN, supplement_price DOUBLE, total_purchase DOUBLE,"
        + " ts AS TO_TIMESTAMP(transaction_time, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), WATERMARK FOR ts AS ts - INTERVAL '10' MINUTE)"
        + " WITH (" + kafka + ",'topic'='" + purchases + "')");
    t.executeSql("CREATE TABLE products (event_time STRING, product_id STRING, category STRING, item STRING, size STRING, cogs DOUBLE, price DOUBLE,"
        + " inventory_level INT, contains_fruit BOOLEAN, contains_veggies BOOLEAN, contains_nuts BOOLEAN, contains_caffeine BOOLEAN, propensity_to_buy INT,"
        + " ts AS TO_TIMESTAMP(event_time, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), WATERMARK FOR ts AS ts)"
        + " WITH (" + kafka + ",'topic'='" + products + "')");
    t.executeSql("CREATE TABLE enriched (transaction_time STRING, transaction_timestamp BIGINT, transaction_id STRING, product_id STRING,"
        + " product_category STRING, product_name STRING, product_size STRING, product_cogs DOUBLE, product_price DOUBLE, contains_fruit BOOLEAN,"
        + " contains_veggies BOOLEAN, contains_nuts BOOLEAN, contains_caffeine BOOLEAN, purchase_price DOUBLE, purchase_quantity INT, is_member BOOLEAN,"
        + " member_discount DOUBLE, add_supplements BOOLEAN, supplement_price DOUBLE, total_purchase DOUBLE)"
        + " WITH ('connector'='kafka','properties.bootstrap.servers'='" + brokers + "','topic'='" + sink + "','format'='json',"
        + " 'sink.delivery-guarantee'='exactly-once','sink.transactional-id-prefix'='flink-bench-" + System.nanoTime() + "',"
        + " 'properties.transaction.timeout.ms'='600000')");
    String fields = "p.transaction_time, CAST(1000 * UNIX_TIMESTAMP(SUBSTRING(p.transaction_time, 1, 19)) AS BIGINT), p.transaction_id, p.product_id,"
        + " v.category, v.item, v.size, v.cogs, v.price, v.contains_fruit, v.contains_veggies, v.contains_nuts, v.contains_caffeine,"
        + " p.price, p.quantity, p.is_member, p.member_discount, p.add_supplements, p.supplement_price, p.total_purchase";
    String query;
    if (mode.equals("temporal")) {
      t.executeSql("CREATE VIEW versioned_products AS SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY ts DESC) AS rownum FROM products) WHERE rownum = 1");
      query = "INSERT INTO enriched SELECT " + fields + " FROM purchases p JOIN versioned_products FOR SYSTEM_TIME AS OF p.ts AS v ON p.product_id = v.product_id";
    } else {
      query = "INSERT INTO enriched SELECT " + fields + " FROM purchases p JOIN products v ON p.product_id = v.product_id";
    }
    long started = System.nanoTime();
    t.executeSql(query).await();
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.println("RESULT mode=" + mode + " seconds=" + seconds);
    System.exit(0);
  }
}
