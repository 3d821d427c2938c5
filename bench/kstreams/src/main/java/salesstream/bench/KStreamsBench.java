package salesstream.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The Kafka Streams reference for salesstream's benchmarks (issue 5).
 *
 * <pre>
 * totals  running totals per product_id over the purchases topic (the Kafka Streams demo's app):
 *         transactions, quantities, sales (exact, in cents), latest transaction_time; changes go to
 *         --output keyed by product_id; processing.guarantee exactly_once_v2 by default.
 * window  sales per product in hopping event-time windows (default 10 min advancing 5 min, grace
 *         10 min; event time = transaction_time via a TimestampExtractor), aggregated into a KTable.
 * probe   end-to-end latency probe, independent of the processor under test: produces purchases at
 *         a fixed rate into --input and reads --output (read_committed), matching each running-total
 *         record (product_id, transactions = k) to the k-th purchase of that product it produced.
 * </pre>
 *
 * Machine-readable lines on stdout (everything else goes to stderr):
 * READY, RESULT, CHECK (totals/window), LATENCY (probe). See bench/README.md.
 */
public final class KStreamsBench {

  static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  static final ObjectReader PURCHASE_READER = MAPPER.readerFor(Purchase.class);

  public static void main(String[] args) throws Exception {
    if (args.length == 0) usage("a mode is required");
    Map<String, String> o = options(args);
    switch (args[0]) {
      case "totals", "window" -> System.exit(runStreams(args[0], o));
      case "probe" -> System.exit(Probe.run(o));
      default -> usage("unknown mode " + args[0]);
    }
  }

  static void usage(String why) {
    System.err.println("kstreams-bench: " + why);
    System.err.println("usage: KStreamsBench totals|window|probe --input TOPIC [--output TOPIC] [--expected N] [--commit-interval MS] ...");
    System.exit(2);
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) usage("unexpected argument " + a);
      String name = a.substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) o.put(name, args[++i]);
      else o.put(name, "true");
    }
    return o;
  }

  static String req(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) usage("--" + name + " is required");
    return v;
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  // ------------------------------------------------------------------ streams modes --

  static int runStreams(String mode, Map<String, String> o) throws Exception {
    final boolean totals = mode.equals("totals");
    final String bootstrap = o.getOrDefault("bootstrap", "127.0.0.1:9092");
    final String input = req(o, "input");
    final String output = o.get("output");
    final long expected = Long.parseLong(o.getOrDefault("expected", "0"));
    final long commitInterval = Long.parseLong(o.getOrDefault("commit-interval", "1000"));
    final String guarantee = o.getOrDefault("guarantee", totals ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
    final String appId = o.getOrDefault("app-id", "kstreams-bench-" + mode + "-" + Long.toHexString(System.nanoTime()));
    final String stateDir = o.getOrDefault("state-dir", System.getProperty("java.io.tmpdir") + "/kstreams-bench");
    final long timeoutS = Long.parseLong(o.getOrDefault("timeout-s", "600"));
    final boolean keepInternal = o.containsKey("keep-internal-topics");

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.parseInt(o.getOrDefault("threads", "1")));
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.put("processing.exception.handler.global.enabled", true); // silences a 4.x start-up warning

    final CountDownLatch finish = new CountDownLatch(1);
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final long[] count = new long[1]; // touched only by the single stream thread
    final long[] firstLast = new long[] {0L, 0L};
    final boolean[] reached = new boolean[1];
    // latest value per output key, for the CHECK line (the stream thread only; read after close)
    final Map<String, Object> latest = new HashMap<>();

    StreamsBuilder b = new StreamsBuilder();
    Consumed<String, Purchase> consumed = Consumed.with(Serdes.String(), new PurchaseSerde());
    if (!totals) consumed = consumed.withTimestampExtractor(new TransactionTimeExtractor());
    KStream<String, Purchase> purchases = b.stream(input, consumed)
        .peek((k, v) -> {
          long n = ++count[0];
          if (n == 1) firstLast[0] = System.nanoTime();
          if (n == expected) {
            firstLast[1] = System.nanoTime();
            reached[0] = true;
            finish.countDown();
          }
        })
        .filter((k, v) -> v != null && v.product_id != null && v.transaction_time != null);

    // salesstream keys purchases by product_id, so grouping by key needs no repartition; --regroup
    // re-keys from the payload like the original demo (which read unkeyed records) did
    KGroupedStream<String, Purchase> grouped = o.containsKey("regroup")
        ? purchases.groupBy((k, v) -> v.product_id, Grouped.with(Serdes.String(), new PurchaseSerde()))
        : purchases.groupByKey(Grouped.with(Serdes.String(), new PurchaseSerde()));

    if (totals) {
      KTable<String, Totals> table = grouped.aggregate(Totals::new, (k, v, t) -> t.add(v),
          Materialized.<String, Totals, KeyValueStore<Bytes, byte[]>>as("running-totals").withValueSerde(new TotalsSerde()));
      KStream<String, Totals> changes = table.toStream().peek((k, v) -> latest.put(k, v));
      if (output != null) changes.mapValues((k, v) -> v.json(k)).to(output, Produced.with(Serdes.String(), Serdes.String()));
    } else {
      long size = Long.parseLong(o.getOrDefault("size-ms", "600000"));
      long advance = Long.parseLong(o.getOrDefault("advance-ms", "300000"));
      long grace = Long.parseLong(o.getOrDefault("grace-ms", "600000"));
      // the store: in memory by default. RocksDB's segmented window store opens and drops one
      // RocksDB instance per segment (10 minutes of event time here); the generator's compressed
      // event time (weeks per minute) makes that dominate (about 6k events/s instead of 30k+),
      // which says nothing about real-time use, so the stronger in-memory store is the reference
      Materialized<String, WindowAgg, WindowStore<Bytes, byte[]>> store = o.getOrDefault("store", "memory").equals("rocksdb")
          ? Materialized.<String, WindowAgg, WindowStore<Bytes, byte[]>>as("window-sales")
          : Materialized.<String, WindowAgg>as(Stores.inMemoryWindowStore("window-sales", Duration.ofMillis(size + grace), Duration.ofMillis(size), false));
      KTable<Windowed<String>, WindowAgg> table = grouped
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace)).advanceBy(Duration.ofMillis(advance)))
          .aggregate(WindowAgg::new, (k, v, a) -> a.add(v), store.withKeySerde(Serdes.String()).withValueSerde(new WindowAggSerde()));
      table.toStream().foreach((w, a) -> latest.put(w.window().start() + "|" + w.key(), a));
    }

    KafkaStreams streams = new KafkaStreams(b.build(), p);
    final long t0 = System.nanoTime();
    final double jvmS = (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1000.0;
    streams.setUncaughtExceptionHandler(e -> {
      failure.compareAndSet(null, e);
      finish.countDown();
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING && before == KafkaStreams.State.REBALANCING) {
        System.out.println("READY app_id=" + appId + " jvm_s=" + fmt(jvmS) + " running_after_s=" + fmt(seconds(System.nanoTime() - t0)));
      }
      if (now == KafkaStreams.State.ERROR) finish.countDown();
    });

    // SIGTERM / SIGINT: stop, close (a clean close commits), clean up, then let the JVM go
    final CountDownLatch cleaned = new CountDownLatch(1);
    final boolean[] signalled = new boolean[1];
    Thread hook = new Thread(() -> {
      signalled[0] = true;
      finish.countDown();
      try {
        cleaned.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(hook);

    streams.start();
    boolean inTime = finish.await(expected > 0 ? timeoutS : Long.MAX_VALUE / 4, TimeUnit.SECONDS);
    final long tDone = System.nanoTime();
    streams.close(Duration.ofSeconds(60));
    final long tClosed = System.nanoTime();

    int rc = 0;
    if (failure.get() != null) {
      System.out.println("RESULT error=" + oneLine(failure.get()));
      rc = 1;
    } else if (expected > 0 && !reached[0]) {
      System.out.println("RESULT error=" + (inTime ? "stopped" : "timeout") + " events=" + count[0] + " expected=" + expected);
      rc = 1;
    } else {
      long n = count[0];
      double s = seconds(tClosed - t0);
      System.out.println("RESULT events=" + n + " seconds=" + fmt(s) + " events_per_s=" + Math.round(n / s)
          + " jvm_s=" + fmt(jvmS)
          + " first_to_last_s=" + fmt(seconds((reached[0] ? firstLast[1] : tDone) - firstLast[0]))
          + " close_s=" + fmt(seconds(tClosed - tDone))
          + " guarantee=" + guarantee + " commit_interval_ms=" + commitInterval
          + (totals ? "" : " store=" + o.getOrDefault("store", "memory")));
    }
    System.out.println(check(totals, latest));
    System.out.flush();

    try {
      streams.cleanUp();
    } catch (RuntimeException e) {
      System.err.println("kstreams-bench: local state cleanup: " + e.getMessage());
    }
    if (!keepInternal) deleteInternalTopics(bootstrap, appId);
    cleaned.countDown();
    if (!signalled[0]) {
      Runtime.getRuntime().removeShutdownHook(hook);
      return rc;
    }
    // the JVM is already shutting down (SIGTERM): returning lets the hook finish
    Thread.sleep(Long.MAX_VALUE);
    return rc;
  }

  static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return (e.getClass().getSimpleName() + ": " + e.getMessage() + " / " + root).replaceAll("\\s+", "_");
  }

  static String check(boolean totals, Map<String, Object> latest) {
    long transactions = 0, quantities = 0, cents = 0;
    Set<String> windows = new java.util.HashSet<>();
    for (Map.Entry<String, Object> e : latest.entrySet()) {
      if (totals) {
        Totals t = (Totals) e.getValue();
        transactions += t.transactions;
        quantities += t.quantities;
        cents += t.salesCents;
      } else {
        WindowAgg a = (WindowAgg) e.getValue();
        transactions += a.transactions;
        quantities += a.drinks;
        cents += a.salesCents;
        windows.add(e.getKey().substring(0, e.getKey().indexOf('|')));
      }
    }
    return "CHECK keys=" + latest.size() + (totals ? "" : " windows=" + windows.size()) + " transactions=" + transactions
        + " quantities=" + quantities + " sales_cents=" + cents;
  }

  static void deleteInternalTopics(String bootstrap, String appId) {
    Properties ap = new Properties();
    ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(ap)) {
      List<String> mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(t -> t.startsWith(appId + "-")).collect(Collectors.toList());
      if (!mine.isEmpty()) admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
      System.err.println("kstreams-bench: deleted internal topics " + mine);
    } catch (Exception e) {
      System.err.println("kstreams-bench: could not delete internal topics of " + appId + ": " + e);
    }
  }

  // ------------------------------------------------------------------ data --

  /** One purchase line item (demo.purchases), field names as on the wire. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Purchase {
    public String transaction_time;
    public String transaction_id;
    public String product_id;
    public double price;
    public int quantity;
    public boolean is_member;
    public double member_discount;
    public boolean add_supplements;
    public double supplement_price;
    public double total_purchase;
  }

  static final class PurchaseSerde implements Serde<Purchase> {
    @Override
    public Serializer<Purchase> serializer() {
      return (topic, p) -> {
        try {
          return p == null ? null : MAPPER.writeValueAsBytes(p);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      };
    }

    /** Malformed input becomes null (filtered out), as salesstream skips and counts it. */
    @Override
    public Deserializer<Purchase> deserializer() {
      return (topic, bytes) -> {
        if (bytes == null) return null;
        try {
          return PURCHASE_READER.readValue(bytes);
        } catch (IOException | RuntimeException e) {
          return null;
        }
      };
    }
  }

  /** Event time = the payload's transaction_time (never the broker timestamp). */
  static final class TransactionTimeExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
      if (record.value() instanceof Purchase p && p.transaction_time != null) {
        long t = epochMillis(p.transaction_time);
        if (t >= 0) return t;
      }
      return partitionTime >= 0 ? partitionTime : record.timestamp();
    }
  }

  /** "YYYY-MM-DD HH:MM:SS[.f{1,9}][Z]" (or a T separator), UTC, to epoch ms; -1 when malformed. */
  static long epochMillis(String s) {
    try {
      if (s.length() < 19) return -1;
      int y = num(s, 0, 4), mo = num(s, 5, 7), d = num(s, 8, 10), h = num(s, 11, 13), mi = num(s, 14, 16), se = num(s, 17, 19);
      long ms = 0;
      if (s.length() > 20 && s.charAt(19) == '.') {
        int scale = 100;
        for (int i = 20; i < s.length() && i < 23 && Character.isDigit(s.charAt(i)); i++) {
          ms += (s.charAt(i) - '0') * scale;
          scale /= 10;
        }
      }
      return (LocalDate.of(y, mo, d).toEpochDay() * 86400L + h * 3600L + mi * 60L + se) * 1000L + ms;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  static int num(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') throw new NumberFormatException(s);
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Running totals of one product; money in integer cents. */
  static final class Totals {
    long transactions;
    long quantities;
    long salesCents;
    String eventTime = "";

    Totals add(Purchase p) {
      transactions++;
      quantities += p.quantity;
      salesCents += Math.round(p.total_purchase * 100);
      if (p.transaction_time.compareTo(eventTime) > 0) eventTime = p.transaction_time;
      return this;
    }

    /** The demo.running.totals value: {"event_time","product_id","transactions","quantities","sales"}. */
    String json(String productId) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("event_time", eventTime);
      m.put("product_id", productId);
      m.put("transactions", transactions);
      m.put("quantities", quantities);
      m.put("sales", BigDecimal.valueOf(salesCents, 2));
      try {
        return MAPPER.writeValueAsString(m);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final class TotalsSerde implements Serde<Totals> {
    @Override
    public Serializer<Totals> serializer() {
      return (topic, t) -> {
        if (t == null) return null;
        byte[] time = t.eventTime.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(24 + time.length).putLong(t.transactions).putLong(t.quantities).putLong(t.salesCents).put(time).array();
      };
    }

    @Override
    public Deserializer<Totals> deserializer() {
      return (topic, bytes) -> {
        if (bytes == null) return null;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        Totals t = new Totals();
        t.transactions = b.getLong();
        t.quantities = b.getLong();
        t.salesCents = b.getLong();
        t.eventTime = new String(bytes, 24, bytes.length - 24, StandardCharsets.UTF_8);
        return t;
      };
    }
  }

  /** Sales of one product in one window. */
  static final class WindowAgg {
    long transactions;
    long drinks;
    long salesCents;

    WindowAgg add(Purchase p) {
      transactions++;
      drinks += p.quantity;
      salesCents += Math.round(p.total_purchase * 100);
      return this;
    }
  }

  static final class WindowAggSerde implements Serde<WindowAgg> {
    @Override
    public Serializer<WindowAgg> serializer() {
      return (topic, a) -> a == null ? null : ByteBuffer.allocate(24).putLong(a.transactions).putLong(a.drinks).putLong(a.salesCents).array();
    }

    @Override
    public Deserializer<WindowAgg> deserializer() {
      return (topic, bytes) -> {
        if (bytes == null) return null;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        WindowAgg a = new WindowAgg();
        a.transactions = b.getLong();
        a.drinks = b.getLong();
        a.salesCents = b.getLong();
        return a;
      };
    }
  }

  // ------------------------------------------------------------------ latency probe --

  /**
   * Produces purchases at --rate records/s into --input (keyed by product_id, transaction_time =
   * the produce time) and reads --output with read_committed. The output's running totals carry
   * "transactions" = how many purchases of that product have been counted, so a record (P, k) makes
   * the first k purchases of P visible: each such purchase not seen before gets latency = now - the
   * time just before its producer.send(). Only purchases sent in the measured window count: it
   * starts --warmup-s after the first output appears (so the processor's start-up and catch-up are
   * excluded) and lasts --seconds.
   */
  static final class Probe {
    static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    static final class Track {
      long[] sendNs = new long[1024];
      int sent;
      int seen;
    }

    static int run(Map<String, String> o) throws Exception {
      final String bootstrap = o.getOrDefault("bootstrap", "127.0.0.1:9092");
      final String input = req(o, "input");
      final String output = req(o, "output");
      final double rate = Double.parseDouble(req(o, "rate"));
      final double warmupS = Double.parseDouble(o.getOrDefault("warmup-s", "3"));
      final double measureS = Double.parseDouble(o.getOrDefault("seconds", "10"));
      final double startupTimeoutS = Double.parseDouble(o.getOrDefault("startup-timeout-s", "90"));
      final double drainTimeoutS = Double.parseDouble(o.getOrDefault("drain-timeout-s", "15"));
      final List<String[]> products = readProducts(o.getOrDefault("products", "configuration/products.csv"));

      Map<String, Track> tracks = new ConcurrentHashMap<>();
      for (String[] pr : products) tracks.put(pr[0], new Track());
      final long[] window = new long[] {Long.MAX_VALUE, Long.MAX_VALUE}; // measured [start, end) in nanoTime
      final List<Long> latencies = new ArrayList<>();
      final long[] observed = new long[1];
      final java.util.concurrent.atomic.AtomicLong firstOutputNs = new java.util.concurrent.atomic.AtomicLong();
      final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();

      Properties cp = new Properties();
      cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      cp.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
      KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer());
      List<TopicPartition> parts = consumer.partitionsFor(output, Duration.ofSeconds(30)).stream()
          .map(pi -> new TopicPartition(pi.topic(), pi.partition())).collect(Collectors.toList());
      consumer.assign(parts);
      consumer.seekToBeginning(parts);

      Thread reader = new Thread(() -> {
        try {
          while (!stop.get()) {
            ConsumerRecords<String, String> recs = consumer.poll(Duration.ofMillis(50));
            long now = System.nanoTime();
            for (ConsumerRecord<String, String> r : recs) {
              Track t = r.key() == null ? null : tracks.get(r.key());
              if (t == null) continue;
              long k;
              try {
                JsonNode n = MAPPER.readTree(r.value());
                k = n.get("transactions").asLong();
              } catch (Exception e) {
                continue;
              }
              synchronized (t) {
                firstOutputNs.compareAndSet(0, now);
                int upto = (int) Math.min(k, t.sent);
                for (int j = t.seen; j < upto; j++) {
                  long s = t.sendNs[j];
                  if (s >= window[0] && s < window[1]) {
                    synchronized (latencies) {
                      latencies.add(now - s);
                    }
                  }
                }
                if (upto > t.seen) t.seen = upto;
              }
              observed[0]++;
            }
          }
        } finally {
          consumer.close(Duration.ofSeconds(5));
        }
      }, "probe-reader");
      reader.setDaemon(true);
      reader.start();

      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      pp.put(ProducerConfig.ACKS_CONFIG, "all");
      pp.put(ProducerConfig.LINGER_MS_CONFIG, 1);
      pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      Random rnd = new Random(1);
      Payloads payloads = new Payloads(products);
      long measuredSent = 0;
      long sent = 0;
      double waitFirstS = -1;
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
        final long t0 = System.nanoTime();
        final double gapNs = 1e9 / rate;
        while (true) {
          long now = System.nanoTime();
          if (window[0] == Long.MAX_VALUE) {
            long first = firstOutputNs.get();
            if (first != 0) {
              waitFirstS = seconds(first - t0);
              window[1] = now + (long) (warmupS * 1e9) + (long) (measureS * 1e9);
              window[0] = now + (long) (warmupS * 1e9);
            } else if (seconds(now - t0) > startupTimeoutS) {
              System.out.println("LATENCY error=no_output_within_" + startupTimeoutS + "s rate=" + rate + " sent=" + sent);
              stop.set(true);
              return 1;
            }
          }
          if (now >= window[1]) break;
          long due = t0 + (long) (sent * gapNs);
          if (now < due) {
            // sleep at least 1 ms and then send what is due in one go: waking for every record at
            // 10k/s would cost the probe more CPU than the processors it measures (send times are
            // taken per record, so this adds no error)
            LockSupport.parkNanos(Math.max(due - now, 1_000_000L));
            continue;
          }
          // send every record that is due (catches up after a stall instead of drifting)
          while (System.nanoTime() >= t0 + (long) (sent * gapNs)) {
            int product = rnd.nextInt(payloads.ids.length);
            String id = payloads.ids[product];
            String value = payloads.json(product, rnd.nextInt(30) >= 24 ? 2 : 1, sent);
            Track t = tracks.get(id);
            long s = System.nanoTime();
            synchronized (t) {
              if (t.sent == t.sendNs.length) t.sendNs = Arrays.copyOf(t.sendNs, t.sent * 2);
              t.sendNs[t.sent++] = s;
            }
            producer.send(new ProducerRecord<>(input, id, value));
            if (s >= window[0] && s < window[1]) measuredSent++;
            sent++;
          }
        }
        producer.flush();
      }
      // wait until every measured purchase has been seen (or give up)
      long drainUntil = System.nanoTime() + (long) (drainTimeoutS * 1e9);
      while (System.nanoTime() < drainUntil) {
        int n;
        synchronized (latencies) {
          n = latencies.size();
        }
        if (n >= measuredSent) break;
        Thread.sleep(20);
      }
      stop.set(true);
      reader.join(10_000);
      long[] l;
      synchronized (latencies) {
        l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      }
      if (l.length == 0) {
        System.out.println("LATENCY error=nothing_measured rate=" + rate + " sent=" + sent + " measured_sent=" + measuredSent + " observed_outputs=" + observed[0]);
        return 1;
      }
      double mean = Arrays.stream(l).average().orElse(0) / 1e6;
      System.out.println("LATENCY rate=" + Math.round(rate) + " achieved_rate=" + Math.round(measuredSent / measureS)
          + " sent=" + sent + " measured=" + measuredSent + " seen=" + l.length + " missing=" + (measuredSent - l.length)
          + " p50_ms=" + fmt(pct(l, 50)) + " p90_ms=" + fmt(pct(l, 90)) + " p99_ms=" + fmt(pct(l, 99)) + " max_ms=" + fmt(l[l.length - 1] / 1e6)
          + " mean_ms=" + fmt(mean) + " wait_first_output_s=" + fmt(waitFirstS) + " outputs=" + observed[0]);
      return 0;
    }

    static double pct(long[] sorted, double p) {
      int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** Cheap payloads: per product and quantity the JSON after the id is made once. */
    static final class Payloads {
      final String[] ids;
      final String[][] tails; // [product][quantity - 1]
      long second = Long.MIN_VALUE;
      String secondText = "";

      Payloads(List<String[]> products) {
        ids = new String[products.size()];
        tails = new String[products.size()][2];
        for (int i = 0; i < ids.length; i++) {
          String[] pr = products.get(i);
          ids[i] = pr[0];
          BigDecimal price = new BigDecimal(pr[1]);
          for (int q = 1; q <= 2; q++) {
            BigDecimal total = price.multiply(BigDecimal.valueOf(q)).setScale(2, java.math.RoundingMode.HALF_UP);
            tails[i][q - 1] = "\",\"product_id\":\"" + pr[0] + "\",\"price\":" + price.toPlainString() + ",\"quantity\":" + q
                + ",\"is_member\":false,\"member_discount\":0.0,\"add_supplements\":false,\"supplement_price\":0.0,\"total_purchase\":"
                + total.toPlainString() + "}";
          }
        }
      }

      /** The purchase, transaction_time = now (UTC, microseconds). */
      String json(int product, int quantity, long n) {
        java.time.Instant now = java.time.Instant.now();
        if (now.getEpochSecond() != second) {
          second = now.getEpochSecond();
          secondText = TS.format(now).substring(0, 19) + ".";
        }
        String micros = Integer.toString(now.getNano() / 1000);
        StringBuilder b = new StringBuilder(260).append("{\"transaction_time\":\"").append(secondText);
        for (int i = micros.length(); i < 6; i++) b.append('0');
        return b.append(micros).append("\",\"transaction_id\":\"").append(1_000_000_000L + n).append(tails[product][quantity - 1]).toString();
      }
    }

    /** product_id and price from products.csv (columns ID, …, Price). */
    static List<String[]> readProducts(String path) throws IOException {
      List<String> lines = Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8);
      List<String> head = Arrays.asList(lines.get(0).split(","));
      int id = head.indexOf("ID"), price = head.indexOf("Price");
      List<String[]> out = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        if (line.isBlank()) continue;
        String[] c = line.split(",");
        out.add(new String[] {c[id].trim(), c[price].trim()});
      }
      return out;
    }
  }
}
