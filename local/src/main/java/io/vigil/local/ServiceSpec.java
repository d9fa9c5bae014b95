package io.vigil.local;

import io.vigil.local.broker.LocalSecurity;
import java.util.Map;

/**
 * A service to run: its module name, HTTP port, -D properties, environment variables (secrets, which a command
 * line would show to every user in {@code ps}), a line for the start-up banner, and its user on the broker.
 */
record ServiceSpec(String name, int port, Map<String, String> properties, Map<String, String> environment, String summary,
        String principal) {
    ServiceSpec(String name, int port, Map<String, String> properties, Map<String, String> environment, String summary) {
        this(name, port, properties, environment, summary, LocalSecurity.principalOf(name));
    }

    ServiceSpec(String name, int port, Map<String, String> properties, String summary) {
        this(name, port, properties, Map.of(), summary);
    }

    /** The management interface's port: health and metrics. */
    int managementPort() {
        return Integer.parseInt(properties.get("quarkus.management.port"));
    }
}
