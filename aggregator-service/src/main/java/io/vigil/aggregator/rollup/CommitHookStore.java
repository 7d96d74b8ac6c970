package io.vigil.aggregator.rollup;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The outermost layer of a store, around everything Streams builds (metering, cache, changelog):
 * it runs its owner's hook just before Streams commits the task, so the owner can write what it has
 * changed since the last commit once, into the transaction that commits the offsets it came from.
 *
 * <p>The hook rides on {@code CachedStateStore.flushCache}, which a task calls on every store before
 * it flushes its producer and commits (the same moment a cache empties itself into the changelog, and
 * for the same reason); that interface is Streams-internal, so {@code RollupExactlyOnceIT} (a kill
 * between commits) and {@code RollupTopologyTest} (a restart from the stores) are what say it still
 * holds after an upgrade.
 */
final class CommitHookStore<K, V> extends WrappedStateStore<KeyValueStore<K, V>, K, V>
    implements KeyValueStore<K, V> {

  private Runnable beforeCommit = () -> {};

  CommitHookStore(KeyValueStore<K, V> wrapped) {
    super(wrapped);
  }

  /** The layer under whatever Streams puts around the store a processor is given. */
  static CommitHookStore<?, ?> of(StateStore store) {
    StateStore s = store;
    while (!(s instanceof CommitHookStore<?, ?>)) {
      if (!(s instanceof WrappedStateStore<?, ?, ?> w)) {
        throw new IllegalStateException("store " + store.name() + " was not built with a commit hook");
      }
      s = w.wrapped();
    }
    return (CommitHookStore<?, ?>) s;
  }

  void beforeCommit(Runnable hook) {
    this.beforeCommit = hook;
  }

  @Override
  public void flushCache() {
    beforeCommit.run(); // what it writes goes down through the cache and changelog layers below
    super.flushCache();
  }

  @Override
  public void put(K key, V value) {
    wrapped().put(key, value);
  }

  @Override
  public V putIfAbsent(K key, V value) {
    return wrapped().putIfAbsent(key, value);
  }

  @Override
  public void putAll(List<KeyValue<K, V>> entries) {
    wrapped().putAll(entries);
  }

  @Override
  public V delete(K key) {
    return wrapped().delete(key);
  }

  @Override
  public V get(K key) {
    return wrapped().get(key);
  }

  @Override
  public KeyValueIterator<K, V> range(K from, K to) {
    return wrapped().range(from, to);
  }

  @Override
  public KeyValueIterator<K, V> all() {
    return wrapped().all();
  }

  @Override
  public long approximateNumEntries() {
    return wrapped().approximateNumEntries();
  }

  /** Builds the store as {@code inner} would and puts a {@link CommitHookStore} around it. */
  static <K, V> StoreBuilder<KeyValueStore<K, V>> around(StoreBuilder<KeyValueStore<K, V>> inner) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
        inner.withCachingEnabled();
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
        inner.withCachingDisabled();
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
        inner.withLoggingEnabled(config);
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
        inner.withLoggingDisabled();
        return this;
      }

      @Override
      public KeyValueStore<K, V> build() {
        return new CommitHookStore<>(inner.build());
      }

      @Override
      public Map<String, String> logConfig() {
        return inner.logConfig();
      }

      @Override
      public boolean loggingEnabled() {
        return inner.loggingEnabled();
      }

      @Override
      public String name() {
        return inner.name();
      }
    };
  }
}
