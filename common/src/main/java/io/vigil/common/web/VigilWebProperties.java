package io.vigil.common.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * HTTP limits shared by every service.
 *
 * @param maxBodySize the largest request body accepted; larger ones get 413 problem+json before the
 *     body is read (by Content-Length) or as soon as the read passes the limit (chunked bodies)
 */
@Validated
@ConfigurationProperties("vigil.web")
public record VigilWebProperties(@DefaultValue("1MB") DataSize maxBodySize) {}
