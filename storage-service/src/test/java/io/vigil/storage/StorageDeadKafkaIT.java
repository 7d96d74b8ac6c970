package io.vigil.storage;

import io.vigil.common.testing.DeadDependencySupport;

class StorageDeadKafkaIT extends DeadDependencySupport {}
