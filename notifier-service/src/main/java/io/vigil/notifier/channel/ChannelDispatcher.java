package io.vigil.notifier.channel;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.exception.AcquirePermissionCancelledException;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.logging.LogContext;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.model.Channel;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.MetricNames;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Dispatcher}: each channel's sender behind a retry, a circuit breaker and a bulkhead, in
 * that order from the outside in, so every try asks the breaker first and then waits for a place.
 *
 * <ul>
 *   <li>Retry: only failures a {@link SendException} calls retryable, and a full bulkhead; exponential
 *       pauses with jitter.
 *   <li>Circuit breaker: SMS, PHONE and EMAIL have one each (one provider, one SMTP relay). WEBHOOK
 *       and BOT have one per target host and port, kept for the most recently used
 *       {@code maxHostBreakers} hosts, so one tenant's dead endpoint does not stop everyone's. Only
 *       retryable failures count against a breaker; a 400 or a refused URL says nothing about the
 *       other side's health. An open breaker fails the message at once with {@code breaker_open}.
 *   <li>Bulkhead: a semaphore per channel; a try that finds it full waits {@code bulkheadMaxWait} and
 *       then fails {@code bulkhead_full} (retryable).
 *   <li>Per-attempt timeout: the sender's (its transport is built with it), so the bulkhead's place is
 *       held exactly as long as the call runs.
 * </ul>
 *
 * <p>Meters, none tagged with a host or an id: {@code vigil.dispatch} (timer; {@code channel},
 * {@code result} = delivered, failed, refused, breaker_open, bulkhead_full), {@code
 * vigil.dispatch.attempts} (counter; {@code channel}), {@code vigil.dispatch.breakers} (gauge of how
 * many of the channel's breakers are in a state; {@code channel}, {@code state} = closed, open,
 * half_open). A failed delivery is logged once, with the reason and the tries, under the message's
 * notificationId, eventId, channel, alertKey and tenant; never its body or a secret.
 */
public final class ChannelDispatcher implements Dispatcher {

  public static final String BREAKER_OPEN = "breaker_open";
  public static final String BULKHEAD_FULL = "bulkhead_full";
  /** No sender was built for the message's channel. */
  public static final String NO_SENDER = "channel_not_configured";
  /** A sender broke in a way it did not foresee (a bug); logged with the exception. */
  public static final String INTERNAL_ERROR = "internal_error";

  static final String ATTEMPTS = MetricNames.DISPATCH + ".attempts";
  static final String BREAKERS = MetricNames.DISPATCH + ".breakers";

  private static final Logger log = LoggerFactory.getLogger(ChannelDispatcher.class);
  private static final List<CircuitBreaker.State> GAUGED_STATES =
      List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN);

  /** The {@code result} tag of {@code vigil.dispatch}. */
  enum Result {
    DELIVERED, FAILED, REFUSED, BREAKER_OPEN, BULKHEAD_FULL;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Result of(String reason) {
      if (reason == null) {
        return DELIVERED;
      }
      return switch (reason) {
        case SendException.URL_REFUSED -> REFUSED;
        case ChannelDispatcher.BREAKER_OPEN -> BREAKER_OPEN;
        case ChannelDispatcher.BULKHEAD_FULL -> BULKHEAD_FULL;
        default -> FAILED;
      };
    }
  }

  private final Map<Channel, Lane> lanes = new EnumMap<>(Channel.class);
  private final DependencyMetrics dependencies;

  /**
   * @param senders one sender per channel this instance serves; a message for another channel fails
   *     {@value #NO_SENDER}
   * @param resilience the settings of each channel in {@code senders}
   * @param maxHostBreakers how many per-host breakers WEBHOOK and BOT each keep (least recently used go)
   * @param dependencies where tries that met an unreachable or failing provider are counted, by the
   *     channel's dependency name ({@code smtp}, {@code sms}, {@code phone}, {@code webhook}, {@code bot});
   *     null counts them nowhere
   */
  public ChannelDispatcher(Map<Channel, ChannelSender> senders, Map<Channel, Resilience> resilience,
      int maxHostBreakers, MeterRegistry registry, DependencyMetrics dependencies) {
    if (maxHostBreakers < 1) {
      throw new IllegalArgumentException("maxHostBreakers is at least 1");
    }
    senders.forEach((channel, sender) -> {
      Resilience settings = resilience.get(channel);
      if (settings == null) {
        throw new IllegalArgumentException("no resilience settings for " + channel);
      }
      lanes.put(channel, new Lane(channel, sender, settings, maxHostBreakers, registry));
    });
    this.dependencies = dependencies;
  }

  @Override
  public Delivery deliver(Outbound message) {
    long started = System.nanoTime();
    int[] tries = {0};
    try (LogContext ctx = LogContext.with(LogKeys.NOTIFICATION_ID, message.notificationId())
        .and(LogKeys.EVENT_ID, message.eventId())
        .and(LogKeys.CHANNEL, message.channel())
        .and(LogKeys.ALERT_KEY, message.alertKey())
        .and(LogKeys.TENANT, message.tenant())) {
      Lane lane = lanes.get(message.channel());
      String reason = lane == null ? NO_SENDER : attempt(lane, message, tries);
      Duration latency = Duration.ofNanos(System.nanoTime() - started);
      if (lane != null) {
        lane.timers.get(Result.of(reason)).record(latency);
      }
      if (reason == null) {
        return Delivery.delivered(tries[0], latency);
      }
      log.warn("{} delivery failed after {} attempt(s): {}", message.channel(), tries[0], reason);
      return Delivery.failed(reason, tries[0], latency);
    } catch (RuntimeException e) {
      // nothing above throws by design; this keeps the promise if a meter or a log appender does
      log.error("delivery of notification {} broke", message.notificationId(), e);
      return Delivery.failed(INTERNAL_ERROR, tries[0], Duration.ofNanos(System.nanoTime() - started));
    }
  }

  /** Tries the message; answers null when delivered, else the reason word. */
  private String attempt(Lane lane, Outbound message, int[] tries) {
    CircuitBreaker breaker = lane.breaker(message.to());
    try {
      lane.retry.executeCheckedSupplier(() -> {
        tries[0]++;
        lane.attempts.increment();
        return breaker.executeCheckedSupplier(() -> lane.bulkhead.executeCheckedSupplier(() -> send(lane, message)));
      });
      return null;
    } catch (SendException e) {
      return e.reason();
    } catch (CallNotPermittedException e) {
      return BREAKER_OPEN;
    } catch (BulkheadFullException e) {
      return BULKHEAD_FULL;
    } catch (AcquirePermissionCancelledException e) {
      return SendException.INTERRUPTED;
    } catch (Error e) {
      throw e;
    } catch (Throwable e) {
      log.error("{} sender failed unexpectedly", lane.channel, e);
      return INTERNAL_ERROR;
    }
  }

  private Void send(Lane lane, Outbound message) throws SendException {
    try {
      lane.sender.send(message);
      return null;
    } catch (SendException e) {
      if (e.retryable() && dependencies != null) {
        dependencies.failure(lane.dependency);
      }
      // each try's failure, for whoever debugs a breaker that opened: the reason word and the kind of
      // failure under it only (its message may name the URL)
      log.debug("{} try failed: {}{}", lane.channel, e.reason(),
          e.getCause() == null ? "" : " (" + e.getCause().getClass().getSimpleName() + ")");
      throw e;
    }
  }

  /** Whether a failed try is worth another: the sender says so, or the bulkhead was only busy. */
  static boolean worthRetrying(Throwable e) {
    return e instanceof SendException s ? s.retryable() : e instanceof BulkheadFullException;
  }

  /** The breaker key of a webhook or bot: its URL's host and port (lower case), empty if it has none. */
  static String hostKey(Destination to) {
    String url = to instanceof Destination.Hook h ? h.url() : to instanceof Destination.Bot b ? b.url() : null;
    if (url == null) {
      return "";
    }
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        return "";
      }
      int port = uri.getPort() >= 0 ? uri.getPort() : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
      return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (URISyntaxException e) {
      return ""; // the URL policy refuses it before anything is sent
    }
  }

  private static String dependencyOf(Channel channel) {
    return switch (channel) {
      case EMAIL -> "smtp";
      case SMS -> "sms";
      case PHONE -> "phone";
      case WEBHOOK -> "webhook";
      case BOT -> "bot";
    };
  }

  /** One channel's sender with its retry, bulkhead, breaker(s) and meters. */
  private static final class Lane {

    final Channel channel;
    final String tag;
    final String dependency;
    final ChannelSender sender;
    final Retry retry;
    final Bulkhead bulkhead;
    final CircuitBreakerConfig breakerConfig;
    /** The channel's one breaker, or null when it has one per host. */
    final CircuitBreaker shared;
    /** Per-host breakers in access order, the least recently used dropped past the bound; guarded by itself. */
    final Map<String, CircuitBreaker> byHost;
    final Counter attempts;
    final Map<Result, Timer> timers = new EnumMap<>(Result.class);

    Lane(Channel channel, ChannelSender sender, Resilience r, int maxHosts, MeterRegistry registry) {
      this.channel = channel;
      this.tag = channel.name().toLowerCase(Locale.ROOT);
      this.dependency = dependencyOf(channel);
      this.sender = sender;
      this.retry = Retry.of("dispatch-" + tag, RetryConfig.custom()
          .maxAttempts(r.maxAttempts())
          .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(r.backoff(), r.backoffMultiplier(), 0.5,
              r.maxBackoff()))
          .retryOnException(ChannelDispatcher::worthRetrying)
          .build());
      this.bulkhead = Bulkhead.of("dispatch-" + tag, BulkheadConfig.custom()
          .maxConcurrentCalls(r.bulkheadSize())
          .maxWaitDuration(r.bulkheadMaxWait())
          .build());
      this.breakerConfig = CircuitBreakerConfig.custom()
          .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
          .slidingWindowSize(r.breakerWindow())
          .minimumNumberOfCalls(Math.max(2, r.breakerWindow() / 2))
          .failureRateThreshold(r.breakerFailureRate())
          .waitDurationInOpenState(r.breakerOpenFor())
          .permittedNumberOfCallsInHalfOpenState(2)
          .recordException(e -> e instanceof SendException s && s.retryable())
          .ignoreExceptions(BulkheadFullException.class)
          .build();
      boolean perHost = channel == Channel.WEBHOOK || channel == Channel.BOT;
      this.shared = perHost ? null : newBreaker(tag);
      this.byHost = perHost ? new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CircuitBreaker> eldest) {
          return size() > maxHosts;
        }
      } : null;

      this.attempts = Counter.builder(ATTEMPTS).tag("channel", tag)
          .description("delivery tries, retries included").register(registry);
      for (Result result : Result.values()) {
        timers.put(result, Timer.builder(MetricNames.DISPATCH).tag("channel", tag).tag("result", result.tag())
            .description("deliveries by channel and result, from the first try to the answer")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(5))
            .maximumExpectedValue(Duration.ofMinutes(1))
            .register(registry));
      }
      for (CircuitBreaker.State state : GAUGED_STATES) {
        Gauge.builder(BREAKERS, this, lane -> lane.count(state)).tag("channel", tag)
            .tag("state", state.name().toLowerCase(Locale.ROOT))
            .description("circuit breakers of the channel in a state (one per host for webhooks and bots)")
            .strongReference(true)
            .register(registry);
      }
    }

    CircuitBreaker breaker(Destination to) {
      if (shared != null) {
        return shared;
      }
      String key = hostKey(to);
      synchronized (byHost) {
        return byHost.computeIfAbsent(key, this::newBreaker);
      }
    }

    private CircuitBreaker newBreaker(String key) {
      CircuitBreaker breaker = CircuitBreaker.of("dispatch-" + tag, breakerConfig);
      breaker.getEventPublisher().onStateTransition(e -> {
        if (e.getStateTransition().getToState() == CircuitBreaker.State.CLOSED) {
          log.info("{} circuit breaker of {} closed again", channel, key);
        } else {
          log.warn("{} circuit breaker of {}: {}", channel, key, e.getStateTransition());
        }
      });
      return breaker;
    }

    double count(CircuitBreaker.State state) {
      if (shared != null) {
        return shared.getState() == state ? 1 : 0;
      }
      synchronized (byHost) {
        return byHost.values().stream().filter(b -> b.getState() == state).count();
      }
    }
  }
}
