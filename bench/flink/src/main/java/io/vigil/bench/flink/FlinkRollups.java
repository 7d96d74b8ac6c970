package io.vigil.bench.flink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The Flink peer of the aggregator's rollup benchmark, run in one JVM (a local MiniCluster): reads
 * {@code <prefix>metrics.raw} as consumer group {@code <group>} (offsets committed on each checkpoint,
 * which is what {@code RollupLoad wait} watches), rolls it up ({@link RollupJob}), and writes every
 * rollup to {@code <prefix>flink.rollups} exactly once. Runs until killed; a SIGTERM cancels the job,
 * which aborts the sink's open transaction. Arguments: {@link Settings#USAGE}.
 */
public final class FlinkRollups {

  /**
   * The sink's transactions: long enough for any checkpoint here, short enough that the open
   * transaction of a run killed without a cancel holds read_committed readers back only that long.
   */
  static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(1);

  private FlinkRollups() {}

  public static void main(String[] args) throws Exception {
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(Settings.USAGE);
      System.exit(2);
      return;
    }
    int partitions = ensureRollupTopic(settings);
    Path checkpoints = settings.checkpointDir() != null ? settings.checkpointDir()
        : Files.createTempDirectory("flink-rollups-checkpoints-");
    String transactionalIds = settings.group() + "-" + System.currentTimeMillis();

    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(settings.parallelism(),
        configuration(settings, checkpoints));
    env.enableCheckpointing(settings.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    RollupJob.rollups(env.fromSource(source(settings), AcceptanceWatermarks.of(settings.idleAfter(),
                settings.followClock()), settings.rawTopic()).uid("metrics-raw"))
        .sinkTo(sink(settings, transactionalIds)).name(settings.rollupTopic()).uid("flink-rollups");

    List<String> tasks = env.getStreamGraph(false).getJobGraph().getVerticesSortedTopologicallyFromSources().stream()
        .map(JobVertex::getName).toList();
    JobClient job = env.executeAsync("vigil rollups " + settings.prefix());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> cancel(job), "cancel-on-exit"));
    String state = settings.state().name().toLowerCase(Locale.ROOT);
    System.out.printf("[flink-rollups] job %s%n", job.getJobID());
    System.out.printf("[flink-rollups] reads %s (%d partitions) as group %s, read_committed, from the group's"
        + " offsets or the earliest%n", settings.rawTopic(), partitions, settings.group());
    System.out.printf("[flink-rollups] writes %s exactly once (transactional ids %s-*)%n", settings.rollupTopic(),
        transactionalIds);
    System.out.printf("[flink-rollups] checkpoints every %d ms to %s; state %s; parallelism %d; %s%n",
        settings.checkpointInterval().toMillis(), checkpoints, state, settings.parallelism(),
        settings.idleAfter().isZero() ? "partitions never idle"
            : "a partition is idle after " + settings.idleAfter().toMillis() + " ms"
                + (settings.followClock() ? ", then follows the clock" : ""));
    System.out.printf("[flink-rollups] tasks, a thread each per parallel instance: %s%n", String.join(" | ", tasks));
    report(job);
  }

  static Configuration configuration(Settings settings, Path checkpoints) {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, settings.state().name().toLowerCase(Locale.ROOT));
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, settings.state() == Settings.StateBackend.ROCKSDB);
    conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
    // every record type is a POJO of ours: a type that fell back to Kryo would be a mistake, so it fails
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    // the batches go from the source to the chained PointsOperator as they are, not copied
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
    conf.set(RestOptions.BIND_PORT, "0");
    // the accumulators (late points, retries) reach the job's client with each heartbeat: every second
    conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
    return conf;
  }

  static KafkaSource<Points> source(Settings settings) {
    return KafkaSource.<Points>builder()
        .setBootstrapServers(settings.bootstrap())
        .setTopics(settings.rawTopic())
        .setGroupId(settings.group())
        .setClientIdPrefix(settings.group())
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(new PointsDeserializer())
        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .setProperty("commit.offsets.on.checkpoint", "true")
        .build();
  }

  static KafkaSink<Rollup> sink(Settings settings, String transactionalIds) {
    return KafkaSink.<Rollup>builder()
        .setBootstrapServers(settings.bootstrap())
        .setRecordSerializer(new RollupRecords(settings.rollupTopic()))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIds)
        .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(TRANSACTION_TIMEOUT.toMillis()))
        // as the aggregator's Streams producer: lz4, and Streams' default linger of 100 ms
        .setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        .setProperty(ProducerConfig.LINGER_MS_CONFIG, "100")
        .build();
  }

  /** Creates {@code <prefix>flink.rollups} with as many partitions as {@code metrics.raw} if it is missing. */
  static int ensureRollupTopic(Settings settings) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap()))) {
      int partitions = admin.describeTopics(List.of(settings.rawTopic())).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(settings.rawTopic()).partitions().size();
      try {
        admin.createTopics(List.of(new NewTopic(settings.rollupTopic(), Optional.of(partitions), Optional.empty())))
            .all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      return partitions;
    }
  }

  /** Says what the accumulators count (late points, retries dropped) whenever it changes, until the job ends. */
  private static void report(JobClient job) throws Exception {
    Map<String, Object> said = Map.of();
    while (true) {
      JobStatus status = job.getJobStatus().get();
      if (status.isGloballyTerminalState()) {
        break;
      }
      Map<String, Object> counts = new TreeMap<>(job.getAccumulators().get());
      if (!counts.equals(said) && !counts.isEmpty()) {
        System.out.printf("[flink-rollups] %s%n", counts);
        said = counts;
      }
      Thread.sleep(1_000);
    }
    job.getJobExecutionResult().get(); // a failed job throws here
  }

  private static void cancel(JobClient job) {
    try {
      if (!job.getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState()) {
        job.cancel().get(20, TimeUnit.SECONDS);
        System.out.println("[flink-rollups] job cancelled");
      }
    } catch (Exception e) {
      System.err.println("[flink-rollups] could not cancel the job on exit: " + e);
    }
  }
}
