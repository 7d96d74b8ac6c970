package io.vigil.bench.flink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * What one run is given on the command line:
 *
 * <pre>
 * java -jar flink-rollups.jar &lt;bootstrap&gt; &lt;prefix&gt; &lt;group&gt; [--parallelism N]
 *     [--state hashmap|rocksdb] [--checkpoint-interval-ms MS] [--checkpoint-dir DIR] [--idle-after-ms MS]
 *     [--follow-clock]
 * </pre>
 *
 * @param prefix the topic prefix: reads {@code <prefix>metrics.raw}, writes {@code <prefix>flink.rollups}
 * @param group the consumer group whose offsets are committed on each checkpoint (what {@code RollupLoad
 *     wait} watches); also the start of the sink's transactional ids
 * @param parallelism of every operator; 1 by default, the peer of the aggregator's one stream thread
 *     (the job is already three tasks, source, windows and sink, on their own threads)
 * @param checkpointDir where the checkpoints go (a fresh temporary directory by default)
 * @param idleAfter how long a partition without batches takes to be idle; zero (the default) for never
 */
record Settings(String bootstrap, String prefix, String group, int parallelism, StateBackend state,
    Duration checkpointInterval, Path checkpointDir, Duration idleAfter, boolean followClock) {

  enum StateBackend { HASHMAP, ROCKSDB }

  static final String USAGE = """
      usage: java -jar flink-rollups.jar <bootstrap> <prefix> <group> [options]
        --parallelism N              every operator's parallelism (1)
        --state hashmap|rocksdb      the state backend (hashmap: on the heap)
        --checkpoint-interval-ms MS  exactly-once checkpoints this often (1000)
        --checkpoint-dir DIR         where checkpoints go (a new temporary directory)
        --idle-after-ms MS           a partition without a batch this long is idle and holds no one back
                                     (0: never; unsafe on a backlog, see README.md)
        --follow-clock               an idle partition's progress follows the clock (idle after 3000 ms
                                     unless given), as the aggregator's does, so the windows open when
                                     the input ends close too; for small or live input only""";

  static final String RAW = "metrics.raw";
  static final String ROLLUPS = "flink.rollups";

  Settings {
    if (parallelism < 1) {
      throw new IllegalArgumentException("--parallelism must be at least 1");
    }
    if (followClock && idleAfter.isZero()) {
      throw new IllegalArgumentException("--follow-clock needs --idle-after-ms above 0");
    }
    if (checkpointInterval.toMillis() < 10) {
      throw new IllegalArgumentException("--checkpoint-interval-ms must be at least 10");
    }
  }

  String rawTopic() {
    return prefix + RAW;
  }

  String rollupTopic() {
    return prefix + ROLLUPS;
  }

  static Settings parse(String[] args) {
    if (args.length < 3) {
      throw new IllegalArgumentException("three arguments are required");
    }
    int parallelism = 1;
    StateBackend state = StateBackend.HASHMAP;
    Duration interval = Duration.ofSeconds(1);
    Path dir = null;
    Duration idleAfter = null;
    boolean followClock = false;
    for (int i = 3; i < args.length; i++) {
      String option = args[i];
      switch (option) {
        case "--follow-clock" -> followClock = true;
        case "--parallelism" -> parallelism = Integer.parseInt(value(args, ++i, option));
        case "--state" -> state = StateBackend.valueOf(value(args, ++i, option).toUpperCase(Locale.ROOT));
        case "--checkpoint-interval-ms" -> interval = Duration.ofMillis(Long.parseLong(value(args, ++i, option)));
        case "--checkpoint-dir" -> dir = Path.of(value(args, ++i, option));
        case "--idle-after-ms" -> idleAfter = Duration.ofMillis(Long.parseLong(value(args, ++i, option)));
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    if (idleAfter == null) {
      idleAfter = followClock ? Duration.ofSeconds(3) : Duration.ZERO;
    }
    return new Settings(args[0], args[1], args[2], parallelism, state, interval, dir, idleAfter, followClock);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
