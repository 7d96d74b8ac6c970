package io.vigil.common.security;

import java.util.Optional;

/**
 * Resolves a presented API key to the principal it stands for. The default reads hashed keys from
 * configuration ({@link ConfiguredCredentials}); a service may declare its own bean (e.g. backed by
 * the access config) and it replaces the default.
 */
@FunctionalInterface
public interface CredentialResolver {

  Optional<VigilPrincipal> resolve(String presentedKey);
}
