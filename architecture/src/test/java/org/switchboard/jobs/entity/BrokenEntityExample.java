package org.switchboard.jobs.entity;

import org.switchboard.jobs.control.JobKeys;

/** Breaks the entity rule on purpose: an entity that builds keys. */
public record BrokenEntityExample(String id) {

    public String key() {
        return new JobKeys("example").of("default").job(id);
    }
}
