package org.switchboard.ui.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class OpenStreamsTest {

    final OpenStreams streams = new OpenStreams();

    OpenStreamsTest() {
        streams.perClient = 3;
    }

    @Test
    void aClientGetsItsShareAndThenNoMoreUntilOneCloses() {
        var held = new ArrayList<OpenStreams.Permit>();
        for (int i = 0; i < 3; i++) {
            held.add(streams.open("198.51.100.1").orElseThrow());
        }
        assertThat(streams.open("198.51.100.1")).isEmpty();
        assertThat(streams.open("198.51.100.2")).as("another client has its own share").isPresent();
        held.getFirst().close();
        assertThat(streams.open("198.51.100.1")).isPresent();
        assertThat(streams.open("198.51.100.1")).isEmpty();
    }

    @Test
    void closingAPermitTwiceGivesBackOnePlace() {
        var first = streams.open("198.51.100.3").orElseThrow();
        streams.open("198.51.100.3").orElseThrow();
        first.close();
        first.close();
        streams.open("198.51.100.3").orElseThrow();
        assertThat(streams.open("198.51.100.3")).as("two open, one place left: taken").isPresent();
        assertThat(streams.open("198.51.100.3")).isEmpty();
    }
}
