package org.switchboard.ui.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;
import org.switchboard.ui.platform.Components;
import org.switchboard.ui.platform.Components.ComponentStatus;
import org.switchboard.ui.platform.Settings;

/** The admin dashboard: the servers, their state and where they are. */
@Named
@RequestScoped
public class AdminBacking {

    @Inject
    Components components;

    @Inject
    Settings settings;

    private List<ComponentStatus> statuses;

    public List<ComponentStatus> getStatuses() {
        if (statuses == null) {
            statuses = components.statuses();
        }
        return statuses;
    }

    public Settings getSettings() {
        return settings;
    }
}
