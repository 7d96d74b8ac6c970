package io.vigil.policy.credentials;

import io.vigil.common.control.ControlTables;
import io.vigil.common.control.Names;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Violations;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.security.ConfiguredCredentials;
import io.vigil.common.security.ControlCallerResolver;
import io.vigil.common.security.ProductCredentials;
import io.vigil.common.security.SecretBox;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.policy.store.ControlStore;
import io.vigil.policy.store.Ids;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Operator tokens and product credentials: created with 256 random bits shown once, stored hashed
 * (tokens) or sealed under the master key (product secrets), revoked softly, every change audited
 * (without secrets) and sent on {@code control.changes} through the outbox like any other object.
 */
@Service
public class CredentialService {

  static final Set<String> ROLES = Set.of(VigilPrincipal.ADMIN, VigilPrincipal.OPERATOR, VigilPrincipal.VIEWER);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final CredentialMapper mapper;
  private final ControlStore store;
  private final SecretBox box;
  private final ControlCallerResolver callers;
  private final ProductCredentials products;
  private final Clock clock;

  public CredentialService(CredentialMapper mapper, ControlStore store, SecretBox box, ControlCallerResolver callers,
      ProductCredentials products, Clock clock) {
    this.mapper = mapper;
    this.store = store;
    this.box = box;
    this.callers = callers;
    this.products = products;
    this.clock = clock;
  }

  public record TokenRequest(String name, String role, List<String> tenants, Long expiresAtMs) {}

  /** A token as listed; {@code token} is present only in the answer that created it. */
  public record TokenView(String id, String name, String role, List<String> tenants, Long expiresAtMs, long version,
      long createdAtMs, String createdBy, String token) {}

  /** A product credential as listed; {@code secret} only in the answer that created or rotated it. */
  public record CredentialView(String keyId, String product, long version, long createdAtMs, long secretCreatedAtMs,
      Long previousValidUntilMs, String secret) {}

  @Transactional
  public TokenView createToken(VigilPrincipal caller, TokenRequest request) {
    Violations v = new Violations();
    if (request == null) {
      v.add("name", "a token request is required");
      v.throwIfAny();
    }
    Names.displayName(v, "name", request.name());
    v.check(request.role() != null && ROLES.contains(request.role()), "role", "one of " + ROLES);
    List<String> tenants = request.tenants() == null ? List.of() : request.tenants();
    v.check(!tenants.isEmpty() && tenants.size() <= 200, "tenants", "1 to 200 tenants, or [\"*\"] for all");
    for (int i = 0; i < tenants.size(); i++) {
      String t = tenants.get(i);
      v.check(VigilPrincipal.ALL_TENANTS.equals(t) || Names.matches(Names.TENANT, t), "tenants[" + i + "]",
          "a tenant id, or * for all");
    }
    long now = clock.millis();
    v.check(request.expiresAtMs() == null || request.expiresAtMs() > now, "expiresAtMs", "in the future");
    v.throwIfAny();
    String token = "vgl_" + random();
    TokenRow row = new TokenRow();
    row.id = Ids.next("tok", now);
    row.name = request.name();
    row.tokenSha256 = ConfiguredCredentials.sha256(token);
    row.role = request.role();
    row.tenants = String.join(",", new LinkedHashSet<>(tenants));
    row.expiresAtMs = request.expiresAtMs();
    row.version = 1;
    row.createdAtMs = now;
    row.updatedAtMs = now;
    row.updatedBy = caller.name();
    mapper.insertToken(row);
    store.recordChange(EntityType.OPERATOR_TOKEN, row.id, ControlTables.GLOBAL, null, null, null, 1, ChangeOp.UPSERT,
        null, json(tokenView(row, null)), caller.name(), now);
    afterCommit(callers::invalidate);
    return tokenView(row, token);
  }

  @Transactional(readOnly = true)
  public List<TokenView> tokens(String after, int limit) {
    return mapper.tokens(after, limit).stream().map(r -> tokenView(r, null)).toList();
  }

  @Transactional
  public void revokeToken(VigilPrincipal caller, String id, long expectedVersion) {
    TokenRow row = mapper.lockToken(id);
    if (row == null || row.deleted) {
      throw new ApiException(ErrorCode.NOT_FOUND, "id", "no token " + id);
    }
    long now = clock.millis();
    if (mapper.revokeToken(id, expectedVersion, now, caller.name()) != 1) {
      throw new ApiException(ErrorCode.CONFLICT, "If-Match", id + " changed since the version you read");
    }
    store.recordChange(EntityType.OPERATOR_TOKEN, id, ControlTables.GLOBAL, null, null, null, row.version + 1,
        ChangeOp.DELETE, json(tokenView(row, null)), null, caller.name(), now);
    afterCommit(callers::invalidate);
  }

  @Transactional
  public CredentialView createCredential(VigilPrincipal caller, String product) {
    requireProduct(product);
    long now = clock.millis();
    String secret = "vsk_" + random();
    CredentialRow row = new CredentialRow();
    row.id = Ids.next("ak", now);
    row.product = product;
    SecretBox.Sealed sealed = box.seal(row.id, secret);
    row.currentKeyId = sealed.keyId();
    row.currentSecret = sealed.ciphertext();
    row.currentCreatedAtMs = now;
    row.version = 1;
    row.createdAtMs = now;
    row.updatedAtMs = now;
    row.updatedBy = caller.name();
    mapper.insertCredential(row);
    store.recordChange(EntityType.PRODUCT_CREDENTIAL, row.id, ControlTables.GLOBAL, null, null, null, 1,
        ChangeOp.UPSERT, null, json(credentialView(row, null)), caller.name(), now);
    return credentialView(row, secret);
  }

  @Transactional(readOnly = true)
  public List<CredentialView> credentials(String product) {
    requireProduct(product);
    return mapper.credentials(product).stream().map(r -> credentialView(r, null)).toList();
  }

  /**
   * A new secret becomes current; the one it replaces stays valid for {@code overlap}, so senders
   * can switch without a gap. A third secret is never valid: the oldest is dropped.
   */
  @Transactional
  public CredentialView rotate(VigilPrincipal caller, String product, String keyId, long expectedVersion,
      Duration overlap) {
    CredentialRow before = lockCredential(product, keyId, expectedVersion);
    long now = clock.millis();
    String secret = "vsk_" + random();
    CredentialRow row = copy(before);
    row.previousKeyId = before.currentKeyId;
    row.previousSecret = before.currentSecret;
    row.previousValidUntilMs = now + overlap.toMillis();
    SecretBox.Sealed sealed = box.seal(row.id, secret);
    row.currentKeyId = sealed.keyId();
    row.currentSecret = sealed.ciphertext();
    row.currentCreatedAtMs = now;
    row.version = before.version + 1;
    row.updatedAtMs = now;
    row.updatedBy = caller.name();
    if (mapper.updateCredential(row, expectedVersion) != 1) {
      throw new ApiException(ErrorCode.CONFLICT, "If-Match", keyId + " changed since the version you read");
    }
    store.recordChange(EntityType.PRODUCT_CREDENTIAL, keyId, ControlTables.GLOBAL, null, null, null, row.version,
        ChangeOp.UPSERT, json(credentialView(before, null)), json(credentialView(row, null)), caller.name(), now);
    afterCommit(() -> products.invalidate(keyId));
    return credentialView(row, secret);
  }

  @Transactional
  public void revokeCredential(VigilPrincipal caller, String product, String keyId, long expectedVersion) {
    CredentialRow before = lockCredential(product, keyId, expectedVersion);
    long now = clock.millis();
    CredentialRow row = copy(before);
    row.deleted = true;
    row.version = before.version + 1;
    row.updatedAtMs = now;
    row.updatedBy = caller.name();
    if (mapper.updateCredential(row, expectedVersion) != 1) {
      throw new ApiException(ErrorCode.CONFLICT, "If-Match", keyId + " changed since the version you read");
    }
    store.recordChange(EntityType.PRODUCT_CREDENTIAL, keyId, ControlTables.GLOBAL, null, null, null, row.version,
        ChangeOp.DELETE, json(credentialView(before, null)), null, caller.name(), now);
    afterCommit(() -> products.invalidate(keyId));
  }

  private CredentialRow lockCredential(String product, String keyId, long expectedVersion) {
    CredentialRow row = mapper.lockCredential(keyId);
    if (row == null || row.deleted || !row.product.equals(product)) {
      throw new ApiException(ErrorCode.NOT_FOUND, "keyId", "no credential " + keyId + " of product " + product);
    }
    if (row.version != expectedVersion) {
      throw new ApiException(ErrorCode.CONFLICT, "If-Match", keyId + " changed since the version you read");
    }
    return row;
  }

  private void requireProduct(String product) {
    if (!store.lookup().exists(EntityType.PRODUCT, ControlTables.GLOBAL, product)) {
      throw new ApiException(ErrorCode.NOT_FOUND, "product", "no product " + product);
    }
  }

  private static CredentialRow copy(CredentialRow r) {
    CredentialRow c = new CredentialRow();
    c.id = r.id;
    c.product = r.product;
    c.currentKeyId = r.currentKeyId;
    c.currentSecret = r.currentSecret;
    c.currentCreatedAtMs = r.currentCreatedAtMs;
    c.previousKeyId = r.previousKeyId;
    c.previousSecret = r.previousSecret;
    c.previousValidUntilMs = r.previousValidUntilMs;
    c.version = r.version;
    c.deleted = r.deleted;
    c.createdAtMs = r.createdAtMs;
    c.updatedAtMs = r.updatedAtMs;
    c.updatedBy = r.updatedBy;
    return c;
  }

  private static TokenView tokenView(TokenRow r, String token) {
    return new TokenView(r.id, r.name, r.role, List.of(r.tenants.split(",")), r.expiresAtMs, r.version, r.createdAtMs,
        r.updatedBy, token);
  }

  private static CredentialView credentialView(CredentialRow r, String secret) {
    return new CredentialView(r.id, r.product, r.version, r.createdAtMs, r.currentCreatedAtMs, r.previousValidUntilMs,
        secret);
  }

  private static String json(Object view) {
    Map<String, Object> m = new LinkedHashMap<>(JSON.convertValue(view, Map.class));
    m.remove("token");
    m.remove("secret");
    return JSON.writeValueAsString(m);
  }

  private static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void afterCommit(Runnable r) {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          r.run();
        }
      });
    } else {
      r.run();
    }
  }
}
