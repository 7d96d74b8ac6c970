package io.vigil.aggregator;

import io.vigil.common.testing.DeadDependencySupport;

class AggregatorDeadKafkaIT extends DeadDependencySupport {}
