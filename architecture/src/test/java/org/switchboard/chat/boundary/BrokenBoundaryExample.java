package org.switchboard.chat.boundary;

import org.redisson.api.RedissonClient;
import org.switchboard.chat.control.ChatKeys;

/** Breaks the boundary rules on purpose: it answers a control type and takes a driver's. */
public class BrokenBoundaryExample {

    public ChatKeys keys(RedissonClient redis) {
        return new ChatKeys(redis.getId());
    }
}
