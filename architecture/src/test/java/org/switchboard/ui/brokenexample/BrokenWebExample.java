package org.switchboard.ui.brokenexample;

import org.redisson.client.RedisException;
import org.switchboard.jobs.control.JobKeys;

/** Breaks the web module's rules on purpose: it reaches into a module's control package and knows a driver's exception. */
public class BrokenWebExample {

    public boolean isRedisDown(Throwable e) {
        return e instanceof RedisException && !new JobKeys("example").queues().isEmpty();
    }
}
