package io.vigil.gateway.config;

import jakarta.validation.constraints.Positive;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Points (and events) a second each product may send, across all gateway instances: a default, and
 * per product where one needs more or less ({@code vigil.gateway.rate.products.qce=2000000}).
 */
@Validated
@ConfigurationProperties("vigil.gateway.rate")
public record GatewayRateProperties(@DefaultValue("500000") @Positive double defaultPerSecond,
    @DefaultValue Map<String, @Positive Double> products) {

  public GatewayRateProperties {
    products = Map.copyOf(products);
  }
}
