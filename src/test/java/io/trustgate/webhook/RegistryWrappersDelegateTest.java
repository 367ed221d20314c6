package io.trustgate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trustgate.cache.CacheSettings;
import io.trustgate.cache.CachingRegistryClient;
import io.trustgate.config.TrustgateSettings;
import io.trustgate.registry.RegistryClient;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RegistryClient's fetch methods have defaults (so resolve-only test fakes stay lambdas); every wrapper the
 * webhook puts around the real client must override them, or cosign signatures would never be read in production.
 */
class RegistryWrappersDelegateTest {

    @Test
    @DisplayName("the metrics and caching wrappers override every RegistryClient method")
    void wrappersOverrideEveryMethod() throws Exception {
        RegistryClient fake = (ref, credentials) -> null;
        CacheSettings cache = TrustgateSettings.defaults().cache();
        List<RegistryClient> wrappers = List.of(
                new UpstreamMetrics(new SimpleMeterRegistry()).registry(fake),
                new CachingRegistryClient(fake, cache, Clock.systemUTC()));
        for (RegistryClient wrapper : wrappers) {
            for (Method m : RegistryClient.class.getMethods()) {
                Method implemented = wrapper.getClass().getMethod(m.getName(), m.getParameterTypes());
                assertThat(implemented.getDeclaringClass())
                        .as(wrapper.getClass().getName() + "." + m.getName())
                        .isNotEqualTo(RegistryClient.class);
            }
        }
    }
}
