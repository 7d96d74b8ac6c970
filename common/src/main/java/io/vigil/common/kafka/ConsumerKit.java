package io.vigil.common.kafka;

import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.ErrorClassifier;
import io.vigil.common.logging.LogContext;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.model.Rollup;
import io.vigil.common.observability.DependencyMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ContainerPausingBackOffHandler;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerContainerPauseService;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Builds every consumer a service runs; there is no other way to consume in Vigil (a plain
 * {@code @KafkaListener} is refused at start-up). Start with {@link #consume} for a work consumer
 * (a group per service and purpose) or {@link #broadcast} for a cache that every instance fills
 * from every change. Whatever the kind, a consumer made here:
 *
 * <ul>
 *   <li>reads committed data only and commits an offset only after the work for it is done, an
 *       asynchronous handler's result included;
 *   <li>decodes and validates each record through {@link MessageCodec} (a null value on a compacted
 *       topic is a tombstone, elsewhere an invalid record);
 *   <li>lets {@link ErrorClassifier} decide about a failure: an invalid record goes to {@code
 *       <topic>.dlt} at once; an unavailable dependency pauses the consumer with exponential backoff,
 *       without limit, nothing committed past the record, counted and shown in readiness ({@code
 *       consumers}) until the dependency answers; anything else is retried {@code vigil.kafka.retries}
 *       times, then dead-lettered. A failed dead-letter send is retried, never dropped;
 *   <li>binds the record's trace and topic to the log context and the trace context, and measures
 *       consume delay, processing time, consumed, failed and dead-lettered records per topic;
 *   <li>stops gracefully with the application context: the records in hand are finished and
 *       committed before the consumer closes.
 * </ul>
 *
 * Declare what it returns as a bean so the context starts and stops it.
 */
public class ConsumerKit implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(ConsumerKit.class);

  final ConsumerFactory<String, byte[]> consumerFactory;
  private final KafkaTemplate<String, byte[]> deadLetterTemplate;
  final MessageCodec codec;
  final KafkaNaming naming;
  final VigilKafkaProperties properties;
  final MeterRegistry registry;
  final Clock clock;
  final DependencyMetrics dependencies;
  final ConsumerStates states;
  private final ThreadPoolTaskScheduler scheduler;
  private final ListenerContainerPauseService pauser;

  public ConsumerKit(ConsumerFactory<String, byte[]> consumerFactory, KafkaTemplate<String, byte[]> deadLetterTemplate,
      MessageCodec codec, KafkaNaming naming, VigilKafkaProperties properties, MeterRegistry registry, Clock clock,
      DependencyMetrics dependencies, ConsumerStates states) {
    this.consumerFactory = consumerFactory;
    this.deadLetterTemplate = deadLetterTemplate;
    this.codec = codec;
    this.naming = naming;
    this.properties = properties;
    this.registry = registry;
    this.clock = clock;
    this.dependencies = dependencies;
    this.states = states;
    this.scheduler = new ThreadPoolTaskScheduler();
    scheduler.setPoolSize(1);
    scheduler.setThreadNamePrefix("vigil-consumer-resume-");
    scheduler.setDaemon(true);
    scheduler.initialize();
    this.pauser = new ListenerContainerPauseService(null, scheduler);
  }

  /**
   * A work consumer of {@code topic} in this service's group for {@code purpose} (e.g. {@code
   * rollups}), starting at {@code startAt} when the group has no committed offset.
   */
  public <V> ConsumerSpec<V> consume(Topic<V> topic, String purpose, StartAt startAt) {
    return consume(List.of(topic), purpose, startAt);
  }

  /** A work consumer of several topics of one message type in one group. */
  public <V> ConsumerSpec<V> consume(List<Topic<V>> topics, String purpose, StartAt startAt) {
    return new ConsumerSpec<>(this, topics, purpose, startAt);
  }

  /**
   * A work consumer of every shard's rollup topic, those created while it runs included (noticed
   * within {@code vigil.kafka.pattern-refresh}); dead-letter and other suffixed topics never match.
   */
  public ConsumerSpec<Rollup> consumeAllShards(String purpose, StartAt startAt) {
    return new ConsumerSpec<>(this, Topics.allRollups(naming.prefix()), base -> Topics.rollup(Topics.shardOf(base)),
        purpose, startAt);
  }

  /**
   * A broadcast consumer for an in-memory copy: no consumer group, every instance reads every
   * partition. At start it captures the end offsets, runs {@code snapshot} (the owner's tables, or
   * nothing for a topic that carries whole content and is read from its beginning), then applies
   * every change from the captured offsets on; readiness stays down until it has caught up.
   * Handlers deduplicate by (key, version), e.g. with {@link VersionGate}.
   */
  public <V> BroadcastConsumer<V> broadcast(Topic<V> topic, String purpose, BroadcastConsumer.From from,
      SnapshotLoader snapshot, RecordHandler<V> handler) {
    return new BroadcastConsumer<>(this, topic, purpose, from, snapshot, handler);
  }

  @Override
  public void destroy() {
    scheduler.shutdown();
  }

  // ------------------------------------------------------------------ what every kind shares

  /** The name a consumer of this service for {@code purpose} goes by in states, meters and logs. */
  public String consumerName(String purpose) {
    return naming.service() + "-" + purpose;
  }

  /** Decodes one record: a tombstone on a compacted topic has a null value, elsewhere it is invalid. */
  <V> ConsumedRecord<V> decode(Topic<V> topic, ConsumerRecord<String, byte[]> rec, Traceparent tp) {
    V value = null;
    if (rec.value() != null || !topic.compacted()) {
      value = codec.decode(rec.value(), topic.valueType());
    }
    return new ConsumedRecord<>(topic.base(), rec.partition(), rec.offset(), rec.key(), value, rec.timestamp(), tp,
        rec.headers());
  }

  /** The time a record's delay counts from: the message's own production time if it has one. */
  static long producedAt(Object value, ConsumerRecord<String, byte[]> rec) {
    long produced = value instanceof io.vigil.common.model.VigilMessage m ? m.producedAtMs() : 0;
    return produced > 0 ? produced : rec.timestamp();
  }

  static Traceparent traceOf(ConsumerRecord<String, byte[]> rec) {
    Header h = rec.headers().lastHeader(Traceparent.HEADER);
    return h == null ? null : Traceparent.parse(new String(h.value(), StandardCharsets.US_ASCII));
  }

  /** Waits for an asynchronous handler's result; a failed stage rethrows its cause for classification. */
  void await(CompletionStage<?> stage) throws Exception {
    if (stage == null) {
      return;
    }
    try {
      stage.toCompletableFuture().get(properties.handlerTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      stage.toCompletableFuture().cancel(true); // best effort: the retry must not overlap a live call
      throw new DependencyUnavailableException("unknown",
          "handler result not complete after " + properties.handlerTimeout(), e);
    }
  }

  /**
   * Runs the work of one record with its trace and topic bound and its meters kept: consumed,
   * processing time, failed. Exceptions go to the caller, who classifies them.
   */
  <V> void run(Topic<V> topic, ConsumerRecord<String, byte[]> rec, ConsumerMeters meters, Invoker<V> work,
      ProgressHandler progress) throws Exception {
    if (progress != null && Topics.isProgressMarker(rec.headers())) {
      progress(topic, rec, meters, progress);
      return;
    }
    Traceparent tp = traceOf(rec);
    long start = System.nanoTime();
    try (TraceContext.Scope trace = TraceContext.bind(tp == null ? Traceparent.newRoot() : tp);
        LogContext ctx = LogContext.with(LogKeys.TOPIC, topic.base())) {
      ConsumedRecord<V> record;
      try {
        record = decode(topic, rec, tp);
      } catch (RuntimeException invalid) {
        meters.consumed(rec.timestamp(), clock.millis());
        throw invalid;
      }
      meters.consumed(producedAt(record.value(), rec), clock.millis());
      work.invoke(record);
    } catch (Exception e) {
      meters.failed();
      throw e;
    } finally {
      meters.processed(System.nanoTime() - start);
    }
  }

  /** A progress marker of a rollup topic: decoded (an unreadable one is invalid like any record) and handed over. */
  void progress(Topic<?> topic, ConsumerRecord<String, byte[]> rec, ConsumerMeters meters, ProgressHandler progress)
      throws Exception {
    io.vigil.common.model.RollupProgress marker;
    try {
      marker = codec.decode(rec.value(), io.vigil.common.model.RollupProgress.class);
    } finally {
      meters.consumed(rec.timestamp(), clock.millis());
    }
    progress.handle(topic.base(), rec.partition(), rec.offset(), marker);
  }

  @FunctionalInterface
  interface Invoker<V> {
    void invoke(ConsumedRecord<V> record) throws Exception;
  }

  /**
   * Runs a partition hook; a hook that throws is logged and counted, never allowed to break the
   * rebalance (the feature's hook degrades on its own, e.g. the detector restores state later).
   */
  void hook(String consumer, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      dependencies.degraded("consumer-hook", "hook-failed");
      log.error("partition hook of consumer {} failed", consumer, e);
    }
  }

  /** The back-off while a dependency is unavailable: doubling from the retry pause, never giving up. */
  BackOff dependencyBackOff() {
    ExponentialBackOff b = new ExponentialBackOff(Math.max(1, properties.retryBackoff().toMillis()), 2.0);
    b.setMaxInterval(Math.max(b.getInitialInterval(), properties.dependencyBackoffMax().toMillis()));
    b.setMaxElapsedTime(Long.MAX_VALUE);
    b.setMaxAttempts(Long.MAX_VALUE);
    return b;
  }

  BackOff failureBackOff() {
    return new FixedBackOff(properties.retryBackoff().toMillis(), properties.retries());
  }

  /**
   * Sends a record to its dead-letter topic with the reason headers and waits for the broker; throws
   * (counted as a Kafka failure) when the send fails, so the caller does not move past the record.
   */
  ConsumerRecordRecoverer deadLetters(String group, String consumer,
      java.util.function.Function<String, ConsumerMeters> metersByTopic) {
    DeadLetterPublishingRecoverer publisher = new DeadLetterPublishingRecoverer(deadLetterTemplate,
        (rec, ex) -> new TopicPartition(naming.deadLetter(rec.topic()), -1));
    publisher.setHeadersFunction((rec, ex) -> DeadLetterHeaders.reasons(group, ex));
    publisher.setFailIfSendResultIsError(true);
    // the reason headers say what went wrong; a stack trace could make the record too large to send
    publisher.excludeHeader(DeadLetterPublishingRecoverer.HeaderNames.HeadersToAdd.EX_STACKTRACE);
    publisher.setWaitForSendResultTimeout(Duration.ofSeconds(30));
    return (rec, ex) -> {
      try {
        publisher.accept(rec, ex);
      } catch (RuntimeException sendFailed) {
        states.waiting(consumer, "kafka", sendFailed);
        throw new DependencyUnavailableException("kafka", "dead-letter send failed", sendFailed);
      }
      ConsumerMeters meters = metersByTopic.apply(rec.topic());
      if (meters != null) {
        meters.deadLettered(InvalidRecordException.in(ex) != null);
      }
      try (LogContext ctx = LogContext.with(LogKeys.TOPIC, naming.base(rec.topic()))) {
        log.warn("record dead-lettered: consumer={} topic={} partition={} offset={} reason={}", consumer, rec.topic(),
            rec.partition(), rec.offset(), DeadLetterHeaders.detail(ex));
      }
    };
  }

  /**
   * The consumer properties of one consumer: where a group without offsets starts and, for a
   * pattern, how soon a topic created at run time (a new shard) is noticed.
   */
  Properties consumerProperties(StartAt startAt, TopicRouting<?> routing) {
    Properties p = new Properties();
    p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, startAt.offsetReset());
    if (routing.isPattern()) {
      p.setProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, Long.toString(properties.patternRefresh().toMillis()));
    }
    return p;
  }

  /**
   * For a look-back start: partitions this group has never committed are moved to the first record
   * of the window (or the end, where the window holds nothing).
   */
  void seekUncommitted(Consumer<?, ?> consumer, Collection<TopicPartition> partitions, StartAt startAt) {
    if (startAt.window() == null || partitions.isEmpty()) {
      return;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        lookBack(consumer, partitions, startAt);
        return;
      } catch (RuntimeException e) {
        if (attempt >= 3) {
          log.error("consumer group {} could not look back on {}: {}; it starts at the end", consumer.groupMetadata()
              .groupId(), partitions, e.toString());
          return;
        }
      }
    }
  }

  private void lookBack(Consumer<?, ?> consumer, Collection<TopicPartition> partitions, StartAt startAt) {
    var committed = consumer.committed(new java.util.HashSet<>(partitions));
    Map<TopicPartition, Long> query = new HashMap<>();
    long since = clock.millis() - startAt.window().toMillis();
    for (TopicPartition tp : partitions) {
      if (committed.get(tp) == null) {
        query.put(tp, since);
      }
    }
    if (query.isEmpty()) {
      return;
    }
    var found = consumer.offsetsForTimes(query);
    List<TopicPartition> toEnd = new ArrayList<>();
    query.keySet().forEach(tp -> {
      var at = found.get(tp);
      if (at == null) {
        toEnd.add(tp);
      } else {
        consumer.seek(tp, at.offset());
      }
    });
    if (!toEnd.isEmpty()) {
      consumer.seekToEnd(toEnd);
    }
    // commit where the look-back put the group at once: a later rebalance or restart must continue
    // from here, not look back again from a later "now" and skip what lies between
    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> start = new HashMap<>();
    query.keySet().forEach(tp -> start.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(
        consumer.position(tp))));
    consumer.commitSync(start);
    log.info("new consumer group {} starts {} back on {}", consumer.groupMetadata().groupId(), startAt.window(),
        query.keySet());
  }

  /**
   * The whole life of one record on a thread the kit owns (lanes, broadcast): run it; on failure ask
   * the classifier; dead-letter an invalid record at once, retry a failing one {@code retries}
   * times then dead-letter it, wait out an unavailable dependency with growing pauses for as long
   * as it takes. Returns true when the record is done (handled or dead-lettered), false when {@code
   * abandon} said to stop first (the partition moved away, or the consumer stops): then it is not
   * done and must not be committed.
   */
  <V> boolean runToCompletion(Topic<V> topic, ConsumerRecord<String, byte[]> rec, ConsumerMeters meters,
      Invoker<V> work, ProgressHandler progress, String consumer, ConsumerRecordRecoverer deadLetters,
      java.util.function.BooleanSupplier abandon) throws InterruptedException {
    int failures = 0;
    org.springframework.util.backoff.BackOffExecution waits = null;
    Exception deadLetterReason = null;
    while (!abandon.getAsBoolean()) {
      try {
        if (deadLetterReason != null) {
          deadLetters.accept(rec, deadLetterReason);
        } else {
          run(topic, rec, meters, work, progress);
        }
        states.running(consumer);
        return true;
      } catch (Exception e) {
        ErrorClassifier.Verdict verdict = ErrorClassifier.classify(e);
        long pause;
        if (deadLetterReason == null && verdict.kind() == ErrorClassifier.Kind.INVALID) {
          deadLetterReason = e;
          pause = 0;
        } else if (verdict.retriable()) {
          // the dependency or, while dead-lettering, Kafka itself: wait without limit
          states.waiting(consumer, verdict.dependency(), e);
          if (waits == null) {
            waits = dependencyBackOff().start();
          }
          pause = waits.nextBackOff();
        } else if (deadLetterReason == null && ++failures > properties.retries()) {
          deadLetterReason = e;
          pause = 0;
        } else {
          waits = null;
          pause = properties.retryBackoff().toMillis();
        }
        if (pause > 0) {
          sleepUnless(pause, abandon);
        }
      }
    }
    return false;
  }

  private static void sleepUnless(long millis, java.util.function.BooleanSupplier abandon) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    long left;
    while ((left = deadline - System.nanoTime()) > 0 && !abandon.getAsBoolean()) {
      Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
    }
  }

  // ------------------------------------------------------------------ listener containers

  <V> ConcurrentMessageListenerContainer<String, byte[]> recordContainer(ConsumerSpec<V> spec, Invoker<V> work) {
    Wiring<V> w = new Wiring<>(spec);
    ContainerProperties cp = w.containerProperties();
    java.util.function.Predicate<String> keys = spec.keyFilter();
    cp.setMessageListener((MessageListener<String, byte[]>) rec -> {
      try {
        if (keys != null && rec.key() != null && !Topics.isProgressMarker(rec.headers()) && !keys.test(rec.key())) {
          w.routing.meters(rec.topic()).consumed(rec.timestamp(), clock.millis());
          states.running(w.consumer); // a consumer that skips everything is still running, not stalled
          return;
        }
        run(w.routing.topic(rec.topic()), rec, w.routing.meters(rec.topic()), work, w.progress);
        states.running(w.consumer);
      } catch (Exception e) {
        throw byVerdict(e);
      }
    });
    return w.container(cp);
  }

  <V> ConcurrentMessageListenerContainer<String, byte[]> batchContainer(ConsumerSpec<V> spec, BatchHandler<V> handler) {
    Wiring<V> w = new Wiring<>(spec);
    ContainerProperties cp = w.containerProperties();
    ConsumerRecordRecoverer deadLetters = deadLetters(w.group, w.consumer, w.routing::meters);
    cp.setMessageListener((BatchMessageListener<String, byte[]>) records -> {
      // runs of valid records go to the handler; an invalid record is dead-lettered where it stands,
      // so nothing after a failing run is dead-lettered before that run is done
      List<ConsumerRecord<String, byte[]>> run = new ArrayList<>();
      List<ConsumedRecord<V>> decoded = new ArrayList<>();
      String lastName = null;
      Topic<V> topic = null;
      ConsumerMeters meters = null;
      for (ConsumerRecord<String, byte[]> rec : records) {
        if (!rec.topic().equals(lastName)) { // a poll's records come in runs of one topic: looked up once a run
          lastName = rec.topic();
          topic = w.routing.topic(lastName);
          meters = w.routing.meters(lastName);
        }
        if (w.progress != null && Topics.isProgressMarker(rec.headers())) {
          // the marker vouches for the records before it: they are handled first
          handleRun(w, handler, run, decoded);
          try {
            progress(topic, rec, meters, w.progress);
          } catch (InvalidRecordException invalid) {
            meters.failed();
            deadLetter(deadLetters, rec, invalid);
          } catch (Exception e) {
            throw batchFailure("progress handler failed", e, rec);
          }
          continue;
        }
        try {
          ConsumedRecord<V> record = decode(topic, rec, traceOf(rec));
          meters.consumed(producedAt(record.value(), rec), clock.millis());
          decoded.add(record);
          run.add(rec);
        } catch (InvalidRecordException invalid) {
          meters.consumed(rec.timestamp(), clock.millis());
          meters.failed();
          handleRun(w, handler, run, decoded);
          deadLetter(deadLetters, rec, invalid);
        }
      }
      handleRun(w, handler, run, decoded);
      states.running(w.consumer);
    });
    return w.container(cp);
  }

  /** A record of a batch that cannot be processed goes to its dead-letter topic; if that fails, the batch fails. */
  private void deadLetter(ConsumerRecordRecoverer deadLetters, ConsumerRecord<String, byte[]> rec,
      InvalidRecordException invalid) {
    try {
      deadLetters.accept(rec, invalid);
    } catch (RuntimeException sendFailed) {
      throw batchFailure("dead-letter send failed", sendFailed, rec);
    }
  }

  /** Hands the pending run of valid records to the handler and empties it. */
  private <V> void handleRun(Wiring<V> w, BatchHandler<V> handler, List<ConsumerRecord<String, byte[]>> run,
      List<ConsumedRecord<V>> decoded) {
    if (run.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    Traceparent tp = decoded.get(0).traceparent();
    try (TraceContext.Scope trace = TraceContext.bind(tp == null ? Traceparent.newRoot() : tp)) {
      handler.handle(List.copyOf(decoded));
    } catch (BatchItemException item) {
      int i = Math.min(item.index(), run.size() - 1);
      w.routing.meters(run.get(i).topic()).failed();
      throw batchFailure("batch item failed", item.getCause(), run.get(i));
    } catch (Exception e) {
      w.routing.meters(run.get(0).topic()).failed();
      throw batchFailure("batch failed", e, run.get(0));
    } finally {
      long each = (System.nanoTime() - start) / run.size();
      for (ConsumerRecord<String, byte[]> rec : run) {
        w.routing.meters(rec.topic()).processed(each);
      }
    }
    run.clear();
    decoded.clear();
  }

  /** What one container of a spec needs: names, meters, the error handler, the rebalance listener. */
  private final class Wiring<V> {
    final ConsumerSpec<V> spec;
    final String group;
    final String consumer;
    final TopicRouting<V> routing;
    final ProgressHandler progress;

    Wiring(ConsumerSpec<V> spec) {
      this.spec = spec;
      this.progress = spec.progressHandler();
      this.group = naming.group(spec.purpose());
      this.consumer = consumerName(spec.purpose());
      this.routing = spec.routing();
      states.register(consumer, true);
    }

    ContainerProperties containerProperties() {
      ContainerProperties cp = routing.isPattern() ? new ContainerProperties(routing.pattern())
          : new ContainerProperties(routing.names());
      cp.setGroupId(group);
      cp.setAckMode(ContainerProperties.AckMode.BATCH);
      cp.setShutdownTimeout(properties.drainTimeout().toMillis());
      cp.setKafkaConsumerProperties(consumerProperties(spec.startAt(), routing));
      if (spec.startAt().window() != null) {
        // spring-kafka would commit the end position of a new latest-reset group on assignment,
        // before our listener could look back; the look-back seek decides the start instead
        cp.setAssignmentCommitOption(ContainerProperties.AssignmentCommitOption.NEVER);
      }
      cp.setConsumerRebalanceListener(new HookingRebalanceListener(spec.hook(), call -> hook(consumer, call),
          (c, partitions) -> seekUncommitted(c, partitions, spec.startAt())));
      return cp;
    }

    ConcurrentMessageListenerContainer<String, byte[]> container(ContainerProperties cp) {
      ConcurrentMessageListenerContainer<String, byte[]> container =
          new ConcurrentMessageListenerContainer<>(consumerFactory, cp);
      container.setConcurrency(properties.concurrency());
      container.setBeanName(consumer);
      container.setCommonErrorHandler(errorHandler());
      return container;
    }

    private DefaultErrorHandler errorHandler() {
      DefaultErrorHandler handler = new DefaultErrorHandler(deadLetters(group, consumer, routing::meters), failureBackOff(),
          new ContainerPausingBackOffHandler(pauser));
      handler.setBackOffFunction((rec, ex) ->
          ErrorClassifier.classify(ex).retriable() ? dependencyBackOff() : null);
      handler.addNotRetryableExceptions(InvalidRecordException.class);
      handler.setCommitRecovered(true);
      handler.setRetryListeners(new RetryListener() {
        @Override
        public void failedDelivery(ConsumerRecord<?, ?> rec, Exception ex, int attempt) {
          ErrorClassifier.Verdict verdict = ErrorClassifier.classify(ex);
          if (verdict.retriable()) {
            states.waiting(consumer, verdict.dependency(), ex);
          }
        }

        @Override
        public void recovered(ConsumerRecord<?, ?> rec, Exception ex) {
          states.running(consumer); // dead-lettered: the consumer moves on
        }
      });
      return handler;
    }
  }

  /**
   * The failure of a record's work, wrapped in one exception class per verdict. spring-kafka keeps
   * a record's back-off until the failure's class changes, so the class must change when the verdict
   * does: a record that first failed for a bug and then meets an outage switches to waiting without
   * limit (never a dead letter during the outage), and one that first met an outage and then proves
   * to be poison switches to the bounded retries.
   */
  static RuntimeException byVerdict(Exception e) {
    InvalidRecordException invalid = InvalidRecordException.in(e);
    if (invalid != null) {
      return invalid;
    }
    return ErrorClassifier.classify(e).retriable() ? new DependencyWait(e) : new WorkFailed(e);
  }

  /** The work needs a dependency that did not answer: waited for without limit. */
  static final class DependencyWait extends RuntimeException {
    DependencyWait(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The work failed for another reason: retried a few times, then dead-lettered. */
  static final class WorkFailed extends RuntimeException {
    WorkFailed(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** As {@link DependencyWait}, for the failed record of a batch. */
  static final class BatchDependencyWait extends BatchListenerFailedException {
    BatchDependencyWait(String message, Throwable cause, ConsumerRecord<?, ?> rec) {
      super(message, cause, rec);
    }
  }

  /** As {@link WorkFailed}, for the failed record of a batch. */
  static final class BatchWorkFailed extends BatchListenerFailedException {
    BatchWorkFailed(String message, Throwable cause, ConsumerRecord<?, ?> rec) {
      super(message, cause, rec);
    }
  }

  static BatchListenerFailedException batchFailure(String message, Throwable cause, ConsumerRecord<?, ?> rec) {
    return ErrorClassifier.classify(cause).retriable() ? new BatchDependencyWait(message, cause, rec)
        : new BatchWorkFailed(message, cause, rec);
  }
}
