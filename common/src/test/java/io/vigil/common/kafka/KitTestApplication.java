package io.vigil.common.kafka;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The smallest application that carries common's auto-configuration, for the kit's own tests. */
@SpringBootApplication
class KitTestApplication {}
