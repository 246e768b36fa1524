package org.switchboard.ui.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AsyncRequestWarningsTest {

    private final Logger weld = Logger.getLogger("org.jboss.weld.Servlet");
    private final List<String> published = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            published.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final AsyncRequestWarnings warnings = new AsyncRequestWarnings();

    @AfterEach
    void restore() {
        warnings.contextDestroyed(null);
        weld.removeHandler(capture);
    }

    @Test
    void onlyTheAsynchronousRequestWarningsAreDroppedAndOnlyWhileTheApplicationRuns() {
        weld.addHandler(capture);
        warnings.contextInitialized(null);
        weld.warning("WELD-000715: HttpContextLifecycle guard not set. The Servlet container is not fully compliant.");
        weld.warning("WELD-000714: HttpContextLifecycle guard leak detected. The Servlet container is not fully compliant. The value was 1");
        weld.log(Level.WARNING, "WELD-000225: Bean store leak detected during {0} association: {1}", new Object[] {"a", "b"});
        weld.warning("WELD-000716: some other warning");
        weld.severe("a message without an id");
        assertThat(published).containsExactly("WELD-000716: some other warning", "a message without an id");

        warnings.contextDestroyed(null);
        weld.warning("WELD-000715: HttpContextLifecycle guard not set. The Servlet container is not fully compliant.");
        assertThat(published).hasSize(3).last().asString().startsWith("WELD-000715");
    }

    @Test
    void aFilterSomebodyElseSetIsLeftInPlace() {
        Logger conversation = Logger.getLogger("org.jboss.weld.Conversation");
        warnings.contextInitialized(null);
        java.util.logging.Filter theirs = record -> true;
        conversation.setFilter(theirs);
        warnings.contextDestroyed(null);
        assertThat(conversation.getFilter()).isSameAs(theirs);
        conversation.setFilter(null);
    }
}
