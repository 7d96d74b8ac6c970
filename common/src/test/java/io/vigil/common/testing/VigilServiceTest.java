package io.vigil.common.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextConfiguration;

/**
 * A service booted whole on a random port against the real servers, isolated by {@link TestRun},
 * with {@link ProblemContractTestController} added so the shared HTTP error contract can be checked
 * through the service's real filter and security chain.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = VigilTestInitializer.class)
@Import({ProblemContractTestController.class, ProblemContractTestController.OwnAdvice.class})
public @interface VigilServiceTest {}
