package io.vigil.cmdb;

import io.vigil.common.testing.DeadDependencySupport;

class CmdbDeadKafkaIT extends DeadDependencySupport {}
