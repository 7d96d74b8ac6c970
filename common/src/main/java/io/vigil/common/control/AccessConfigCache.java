package io.vigil.common.control;

import io.vigil.common.control.ControlJson;
import io.vigil.common.control.ControlReader;
import io.vigil.common.control.ControlTables;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.ControlChange.EntityType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A service's copy of the access config: every namespace, loaded whole (streamed) when the
 * broadcast consumer of {@code control.changes} starts, then kept current one namespace at a time
 * as changes arrive. Reads never touch MySQL, so ingestion goes on from memory while it is away.
 */
public class AccessConfigCache {

  private static final Logger log = LoggerFactory.getLogger(AccessConfigCache.class);

  private final ControlReader reader;
  private final JdbcTemplate jdbc;
  private volatile Map<String, NamespaceConfig> namespaces = Map.of();
  private volatile boolean loaded;

  public AccessConfigCache(DataSource dataSource) {
    this.reader = new ControlReader(dataSource);
    this.jdbc = new JdbcTemplate(dataSource);
  }

  /** The whole access config, replacing what was held (the broadcast consumer's snapshot). */
  public void loadAll() {
    Map<String, NamespaceConfig> all = new HashMap<>();
    reader.forEach(EntityType.NAMESPACE, null, NamespaceConfig.class, l -> all.put(l.id(), l.body()));
    namespaces = Map.copyOf(all);
    loaded = true;
    log.info("loaded the access config: {} namespaces", all.size());
  }

  /** Applies one change: a namespace is read again (or dropped when deleted). */
  public void apply(ControlChange change) {
    if (change.type() != EntityType.NAMESPACE) {
      return;
    }
    List<Map<String, Object>> rows = jdbc.queryForList("SELECT body, deleted FROM "
        + ControlTables.table(EntityType.NAMESPACE) + " WHERE id = ?", change.id());
    Map<String, NamespaceConfig> next = new HashMap<>(namespaces);
    if (rows.isEmpty() || ((Number) rows.get(0).get("deleted")).intValue() != 0) {
      next.remove(change.id());
    } else {
      next.put(change.id(), ControlJson.read((String) rows.get(0).get("body"), NamespaceConfig.class));
    }
    namespaces = Map.copyOf(next);
  }

  /**
   * The namespace, when the product writes it (a namespace is its product's: {@code product/family}).
   * Another product's namespace and a missing one are the same 403: neither is revealed. 503 until
   * the first load.
   */
  public NamespaceConfig ownedBy(String product, String name) {
    if (!loaded) {
      throw new DependencyUnavailableException("mysql", "the access config is not loaded yet");
    }
    NamespaceConfig ns = namespace(name).orElse(null);
    if (ns == null || !ns.product().equals(product)) {
      throw new ApiException(ErrorCode.FORBIDDEN, "namespace",
          "this credential does not write namespace '" + name + "'");
    }
    return ns;
  }

  public Optional<NamespaceConfig> namespace(String name) {
    return Optional.ofNullable(name == null ? null : namespaces.get(name));
  }

  public boolean loaded() {
    return loaded;
  }
}
