-- Credentials (issue 6). Operator tokens are kept as the SHA-256 of the token (tokens are 256 random
-- bits, so a fast hash is enough; the token itself is shown once, at creation). Product credentials
-- keep their HMAC secrets sealed under the master key (AES-256-GCM, the key id beside each
-- ciphertext), because the gateway needs them in clear to verify signatures. A credential holds up
-- to two secrets, so a product rotates without a gap: the new one is current, the previous one stays
-- valid until previous_valid_until_ms.
CREATE TABLE ctl_operator_tokens (
  id            VARCHAR(64)   NOT NULL,
  name          VARCHAR(256)  NOT NULL,
  token_sha256  CHAR(64)      NOT NULL,
  role          VARCHAR(16)   NOT NULL,
  tenants       VARCHAR(4096) NOT NULL,
  expires_at_ms BIGINT        NULL,
  version       BIGINT        NOT NULL,
  deleted       TINYINT       NOT NULL DEFAULT 0,
  created_at_ms BIGINT        NOT NULL,
  updated_at_ms BIGINT        NOT NULL,
  updated_by    VARCHAR(128)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_tokens_hash (token_sha256),
  INDEX ix_tokens_list (deleted, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE ctl_product_credentials (
  id                      VARCHAR(64)  NOT NULL,
  product                 VARCHAR(64)  NOT NULL,
  current_key_id          VARCHAR(32)  NOT NULL,
  current_secret          VARCHAR(512) NOT NULL,
  current_created_at_ms   BIGINT       NOT NULL,
  previous_key_id         VARCHAR(32)  NULL,
  previous_secret         VARCHAR(512) NULL,
  previous_valid_until_ms BIGINT       NULL,
  version                 BIGINT       NOT NULL,
  deleted                 TINYINT      NOT NULL DEFAULT 0,
  created_at_ms           BIGINT       NOT NULL,
  updated_at_ms           BIGINT       NOT NULL,
  updated_by              VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  INDEX ix_credentials_product (product, deleted, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
