package io.vigil.common.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What a consumer subscribes to and how a record's topic name leads back to its declaration and
 * meters: a fixed list of topics, or a pattern (every shard's rollups, shards created at run time
 * included) whose matching topics are declared on first sight. Topic names are bounded (declared
 * topics, valid shard names), so so are the meters.
 */
final class TopicRouting<V> {

  private final List<Topic<V>> fixed;
  private final Pattern pattern;
  private final Function<String, Topic<V>> declare;
  private final KafkaNaming naming;
  private final MeterRegistry registry;
  private final Map<String, Topic<V>> topics = new ConcurrentHashMap<>();
  private final Map<String, ConsumerMeters> meters = new ConcurrentHashMap<>();

  private TopicRouting(List<Topic<V>> fixed, Pattern pattern, Function<String, Topic<V>> declare, KafkaNaming naming,
      MeterRegistry registry) {
    this.fixed = fixed;
    this.pattern = pattern;
    this.declare = declare;
    this.naming = naming;
    this.registry = registry;
    if (fixed != null) {
      fixed.forEach(t -> topic(naming.topic(t)));
    }
  }

  static <V> TopicRouting<V> of(List<Topic<V>> topics, KafkaNaming naming, MeterRegistry registry) {
    return new TopicRouting<>(List.copyOf(topics), null, null, naming, registry);
  }

  /** @param declare the declaration of a matching topic, from its base name */
  static <V> TopicRouting<V> matching(Pattern pattern, Function<String, Topic<V>> declare, KafkaNaming naming,
      MeterRegistry registry) {
    return new TopicRouting<>(null, pattern, declare, naming, registry);
  }

  boolean isPattern() {
    return pattern != null;
  }

  Pattern pattern() {
    return pattern;
  }

  String[] names() {
    return fixed.stream().map(naming::topic).toArray(String[]::new);
  }

  /** The declaration of a subscribed topic, by its full name. */
  Topic<V> topic(String name) {
    return topics.computeIfAbsent(name, n -> {
      Topic<V> t = fixed != null
          ? fixed.stream().filter(f -> naming.topic(f).equals(n)).findFirst().orElseThrow()
          : declare.apply(naming.base(n));
      meters.put(n, new ConsumerMeters(registry, t.base()));
      return t;
    });
  }

  ConsumerMeters meters(String name) {
    topic(name);
    return meters.get(name);
  }
}
