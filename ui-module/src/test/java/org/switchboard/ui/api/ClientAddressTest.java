package org.switchboard.ui.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    final ClientAddress behindTwoProxies = new ClientAddress("10.0.0.1, 10.0.0.2");

    @Test
    void aClientThatIsNoTrustedProxyIsItsOwnAddressWhateverItClaims() {
        assertThat(behindTwoProxies.of("203.0.113.9", List.of("198.51.100.1"))).isEqualTo("203.0.113.9");
        assertThat(new ClientAddress(" ").of("10.0.0.1", List.of("198.51.100.1"))).as("no proxy trusted").isEqualTo("10.0.0.1");
    }

    @Test
    void behindTrustedProxiesTheClientIsTheLastHopNoneOfThemAdded() {
        // the client forged the first entry; the proxies appended what they saw
        assertThat(behindTwoProxies.of("10.0.0.2", List.of("1.2.3.4, 198.51.100.7, 10.0.0.1"))).isEqualTo("198.51.100.7");
        assertThat(behindTwoProxies.of("10.0.0.1", List.of("1.2.3.4", "198.51.100.8"))).as("one header per proxy").isEqualTo("198.51.100.8");
    }

    @Test
    void aTrustedProxyThatSaysNothingIsTheClient() {
        assertThat(behindTwoProxies.of("10.0.0.1", List.of())).isEqualTo("10.0.0.1");
    }
}
