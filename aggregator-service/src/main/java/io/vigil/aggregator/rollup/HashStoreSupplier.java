package io.vigil.aggregator.rollup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * An in-memory store on a hash map, for the rollup stores: they are written by key and read whole
 * when a task starts, never by range, so Streams' own in-memory store (a sorted map, a byte-array
 * comparison per tree level on every write) pays for an order nobody uses. Logging (the changelog)
 * and metering wrap it as they wrap any store: restore and exactly-once are Streams' as usual.
 */
final class HashStoreSupplier implements KeyValueBytesStoreSupplier {

  private final String name;

  HashStoreSupplier(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public KeyValueStore<Bytes, byte[]> get() {
    return new HashStore(name);
  }

  @Override
  public String metricsScope() {
    return "in-memory-hash";
  }

  static final class HashStore implements KeyValueStore<Bytes, byte[]> {
    private final String name;
    /** Keys of eight bytes (a long, as the series stores are keyed) in a primitive map; any other in a hash map. */
    private final LongMap<byte[]> longs = new LongMap<>();
    private final Map<Bytes, byte[]> map = new HashMap<>();
    private volatile boolean open;
    private Position position = Position.emptyPosition();

    HashStore(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
      context.register(root, (key, value) -> put(Bytes.wrap(key), value));
      open = true;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      map.clear();
      longs.clear();
      open = false;
    }

    @Override
    public boolean persistent() {
      return false;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
      return QueryResult.forUnknownQueryType(query, this);
    }

    @Override
    public Position getPosition() {
      return position;
    }

    private static long asLong(byte[] k) {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (k[i] & 0xFF);
      }
      return v;
    }

    private static Bytes ofLong(long v) {
      byte[] k = new byte[8];
      for (int i = 7; i >= 0; i--) {
        k[i] = (byte) v;
        v >>>= 8;
      }
      return Bytes.wrap(k);
    }

    @Override
    public void put(Bytes key, byte[] value) {
      byte[] k = key.get();
      if (value == null) {
        delete(key);
      } else if (k.length == 8) {
        longs.put(asLong(k), value);
      } else {
        map.put(key, value);
      }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
      byte[] old = get(key);
      if (old == null) {
        put(key, value);
      }
      return old;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
      for (KeyValue<Bytes, byte[]> e : entries) {
        put(e.key, e.value);
      }
    }

    @Override
    public byte[] delete(Bytes key) {
      byte[] k = key.get();
      return k.length == 8 ? longs.remove(asLong(k)) : map.remove(key);
    }

    @Override
    public byte[] get(Bytes key) {
      byte[] k = key.get();
      return k.length == 8 ? longs.get(asLong(k)) : map.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
      throw new UnsupportedOperationException("the rollup stores are read by key or whole, never by range");
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
      List<KeyValue<Bytes, byte[]>> copy = new ArrayList<>(map.size() + longs.size());
      map.forEach((k, v) -> copy.add(KeyValue.pair(k, v)));
      longs.forEach((Long k, byte[] v) -> copy.add(KeyValue.pair(ofLong(k), v)));
      Iterator<KeyValue<Bytes, byte[]>> it = copy.iterator();
      return new KeyValueIterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
          return it.next();
        }

        @Override
        public void close() {}

        @Override
        public Bytes peekNextKey() {
          throw new UnsupportedOperationException();
        }
      };
    }

    @Override
    public long approximateNumEntries() {
      return map.size() + longs.size();
    }
  }
}
