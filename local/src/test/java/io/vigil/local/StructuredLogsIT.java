package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.process.ServiceProcess;
import io.vigil.proto.Topics;
import io.vigil.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The five packaged services with JSON logs on, as the k8s base runs them ({@code QUARKUS_LOG_CONSOLE_JSON_ENABLED}):
 * every line a service writes is one JSON object that names the service, for a cluster's log pipeline.
 */
class StructuredLogsIT {

    @TempDir
    Path temp;

    @Test
    void everyServiceWritesOneJsonObjectPerLineNamingItself() throws Exception {
        Path home = Path.of("..").toAbsolutePath().normalize();
        List<ServiceProcess> services = new ArrayList<>();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(temp.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120)))) {
            // Stream mode: frame-ingest stays up.
            LocalOptions options = new LocalOptions(LocalOptions.Cameras.of(SharedData.ped2TestVideo("02").toString(),
                    "ped2-02"), new LocalOptions.Detection("motion", Optional.empty()), LocalOptions.Learning.NONE,
                    new LocalOptions.Run(false, null, home), LocalOptions.Site.of(temp, false, 0));
            PageLogin.in(temp).createIfMissing(); // the alert-sink's login, as vigil-local makes it
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (ServiceSpec spec : LocalServices.services(options, broker.bootstrapServers())) {
                Map<String, String> props = new LinkedHashMap<>(spec.properties());
                props.put("quarkus.log.console.json.enabled", "true");
                services.add(ServiceProcess.start(spec.name(), home.resolve(spec.name() + "/target/quarkus-app/quarkus-run.jar"),
                        props, spec.environment(), temp.resolve("logs/" + spec.name() + ".log")));
                ports.put(spec.name(), spec.managementPort());
            }
            for (Map.Entry<String, Integer> service : ports.entrySet()) {
                HealthProbe.await(service.getKey(), service.getValue(), "live", Duration.ofMinutes(3));
            }
        } finally {
            ServiceProcess.stopAll(services);
        }

        ObjectMapper json = new ObjectMapper();
        for (ServiceProcess s : services) {
            List<String> lines = Files.readAllLines(s.log()).stream().filter(l -> !l.isBlank()).toList();
            assertTrue(lines.size() > 3, s.name() + " logged " + lines);
            boolean started = false;
            for (String line : lines) {
                JsonNode entry;
                try {
                    entry = json.readTree(line);
                } catch (java.io.IOException e) {
                    throw new AssertionError(s.name() + " wrote a line that is not JSON: " + line, e);
                }
                assertTrue(entry.isObject(), s.name() + ": " + line);
                assertEquals(s.name(), entry.path("service").asText(), "the service field of " + line);
                for (String field : List.of("timestamp", "level", "loggerName", "message")) {
                    assertTrue(entry.hasNonNull(field), field + " missing in " + line);
                }
                started |= entry.get("message").asText().contains(" started in ");
            }
            assertTrue(started, s.name() + " logged its start as JSON");
        }
    }
}
