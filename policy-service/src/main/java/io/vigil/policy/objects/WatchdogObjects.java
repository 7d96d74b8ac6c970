package io.vigil.policy.objects;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.control.Product;
import io.vigil.common.control.Watchdog;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.policy.store.ControlStore;
import io.vigil.policy.store.ListQuery;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Makes the watchdog's control objects ({@link Watchdog}: product, namespace and the tenant's policy)
 * when they are missing, once the service is ready, through the same store as the API, so readers
 * learn of them from {@code control.changes} like any other object. Instances that start together
 * take turns under a database lock; an object an operator has since changed is left as it is.
 */
public class WatchdogObjects {

  private static final Logger log = LoggerFactory.getLogger(WatchdogObjects.class);
  private static final String ACTOR = "system:watchdog";

  private final ControlStore store;
  private final JdbcTemplate jdbc;

  public WatchdogObjects(ControlStore store, JdbcTemplate jdbc) {
    this.store = store;
    this.jdbc = jdbc;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void ensure() {
    try {
      Integer locked = jdbc.queryForObject("SELECT GET_LOCK('vigil_watchdog_objects', 30)", Integer.class);
      if (locked == null || locked != 1) {
        log.warn("watchdog objects: another instance held the lock for 30 s; leaving them to it");
        return;
      }
      try {
        ensureObjects();
      } finally {
        jdbc.queryForObject("SELECT RELEASE_LOCK('vigil_watchdog_objects')", Integer.class);
      }
    } catch (RuntimeException e) {
      // the platform runs without its watchdog rather than not at all; the notifier reports it silent
      log.error("watchdog objects could not be made; the watchdog stays silent until the next start", e);
    }
  }

  void ensureObjects() {
    Kinds.Products products = new Kinds.Products();
    if (!exists(() -> store.get(products, null, Watchdog.PRODUCT))) {
      store.create(products, null, new Product(Watchdog.PRODUCT, "Vigil's own signals", List.of("Vigil SRE")), ACTOR);
      log.info("watchdog: made product {}", Watchdog.PRODUCT);
    }
    Kinds.Namespaces namespaces = new Kinds.Namespaces();
    if (!exists(() -> store.get(namespaces, null, Watchdog.NAMESPACE))) {
      store.create(namespaces, null, Watchdog.namespace(), ACTOR);
      log.info("watchdog: made namespace {}", Watchdog.NAMESPACE);
    }
    Kinds.Policies policies = new Kinds.Policies();
    boolean present = store.list(policies, Watchdog.TENANT,
        new ListQuery(Watchdog.NAMESPACE, Watchdog.POLICY_NAME, null, null, 10)).items().stream()
        .anyMatch(p -> p.spec().name().equals(Watchdog.POLICY_NAME));
    if (!present) {
      AlertPolicy policy = Watchdog.policy();
      String id = store.create(policies, Watchdog.TENANT, policy, ACTOR).id();
      log.info("watchdog: made policy {} of tenant {}", id, Watchdog.TENANT);
    }
  }

  private static boolean exists(Runnable get) {
    try {
      get.run();
      return true;
    } catch (ApiException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

}
