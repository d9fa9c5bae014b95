package io.vigil.local;

import io.vigil.auth.LoginFiles;
import io.vigil.local.broker.LocalSecurity;
import io.vigil.proto.ServiceAccess;
import io.vigil.proto.SourceUris;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The main job's services: their ports, settings and environment, in start order. */
final class LocalServices {

    static final int INGEST_PORT = 8081;
    static final int DETECTOR_PORT = 8082;
    static final int ASSEMBLER_PORT = 8083;
    static final int SCORER_PORT = 8084;
    static final int ALERT_SINK_PORT = 8085;
    /** The scorer's default model, for cameras without one of their own (relative to the checkout). */
    static final String DEFAULT_MODEL = "models/ssmtl-ped2-shallow-narrow.onnx";

    /** A service's management port (health, metrics) is its HTTP port + this, as in each application.properties. */
    static final int MANAGEMENT_PORT_OFFSET = 1000;

    /** The environment variable that hands frame-ingest the source URI, which may hold a camera's password. */
    static final String SOURCE_URI_VARIABLE = "VIGIL_SOURCE_URI";

    /** The services of the main job, in start order; frame-ingest comes last. */
    static List<ServiceSpec> services(LocalOptions o, String bootstrap) {
        Map<String, String> detector = common(o, bootstrap, DETECTOR_PORT);
        detector.put("vigil.detector.backend", o.detection().detector());
        o.detection().model().ifPresent(m -> detector.put("vigil.detector.model", m.toAbsolutePath().toString()));

        Map<String, String> assembler = common(o, bootstrap, ASSEMBLER_PORT);
        assembler.put("kafka-streams.state.dir", o.site().dataDir().resolve("state/sequence-assembler").toString());

        Map<String, String> scorer = common(o, bootstrap, SCORER_PORT);
        String model = o.run().home().resolve(DEFAULT_MODEL).toString();
        scorer.put("vigil.scorer.model", model);
        scorer.put("vigil.scorer.registry", o.site().registry().toString());
        boolean scoresItself = o.run().scoring() == LocalOptions.Scoring.IN_ASSEMBLER;
        if (scoresItself) {
            assembler.put("vigil.assembler.scoring.model", model);
            assembler.put("vigil.assembler.scoring.registry", o.site().registry().toString());
        } else {
            assembler.put("vigil.assembler.model", model); // refuses to start if its sequences do not fit the model
        }

        Map<String, String> alerts = common(o, bootstrap, ALERT_SINK_PORT);
        alerts.put("kafka-streams.state.dir", o.site().dataDir().resolve("state/alert-sink").toString());
        alerts.put("vigil.alerts.registry", o.site().registry().toString());
        alerts.put("vigil.alerts.registry-refresh", "2s");
        LoginFiles login = PageLogin.in(o.site().dataDir());
        alerts.putAll(PageLogin.alertSinkProperties(login));
        Map<String, String> alertsEnvironment = new LinkedHashMap<>();
        String page = "http://localhost:" + ALERT_SINK_PORT + "/";
        if (o.site().secure()) {
            // HTTPS only, with a certificate of the local CA.
            LocalSecurity security = LocalSecurity.createOrLoad(o.site().dataDir().resolve("tls"));
            alerts.putAll(security.webServerProperties(ALERT_SINK_PORT));
            alertsEnvironment.put(LocalSecurity.WEB_KEYSTORE_PASSWORD_VARIABLE, security.webKeystorePassword());
            page = "https://localhost:" + ALERT_SINK_PORT + "/ (trust " + security.caCertificate() + ")";
        }

        Map<String, String> ingest = common(o, bootstrap, INGEST_PORT);
        if (!o.cameras().ids().contains(LocalOptions.DEFAULT_CAMERA)) {
            // frame-ingest's own default camera; this run ingests only the camera asked for.
            ingest.put("vigil.ingest.cameras." + LocalOptions.DEFAULT_CAMERA + ".enabled", "false");
        }
        for (String id : o.cameras().ids()) {
            ingest.put("vigil.ingest.cameras." + id + ".uri", "${" + SOURCE_URI_VARIABLE + "}"); // resolved by Quarkus
            if (o.cameras().fps() > 0) {
                ingest.put("vigil.ingest.cameras." + id + ".fps-cap", Double.toString(o.cameras().fps()));
            }
            if (o.cameras().loop()) {
                ingest.put("vigil.ingest.cameras." + id + ".loop", "true");
            }
        }
        ingest.put("vigil.ingest.mode", o.run().once() ? "once" : "stream");
        List<ServiceSpec> services = new ArrayList<>();
        services.add(new ServiceSpec("object-detector", DETECTOR_PORT, detector, "detector " + o.detection().detector()
                + o.detection().model().map(m -> " " + m.getFileName()).orElse("")));
        String scoring = "model " + DEFAULT_MODEL + ", per-camera models from " + o.site().registry();
        if (scoresItself) {
            services.add(new ServiceSpec("sequence-assembler", ASSEMBLER_PORT, assembler, Map.of(),
                    "scores the sequences itself: " + scoring, ServiceAccess.SCORING_ASSEMBLER));
        } else {
            services.add(new ServiceSpec("sequence-assembler", ASSEMBLER_PORT, assembler,
                    "crops checked against the model's t and size"));
            services.add(new ServiceSpec("anomaly-scorer", SCORER_PORT, scorer, scoring));
        }
        services.add(new ServiceSpec("alert-sink", ALERT_SINK_PORT, alerts, alertsEnvironment, "events, webhook, REST; page at "
                + page + ", user " + PageLogin.USER + ", password in " + login.passwordFile()));
        services.add(new ServiceSpec("frame-ingest", INGEST_PORT, ingest, Map.of(SOURCE_URI_VARIABLE, o.cameras().source()),
                "camera " + String.join(", ", o.cameras().ids()) + " <- " + SourceUris.withoutCredentials(o.cameras().source())));
        return services;
    }

    private static Map<String, String> common(LocalOptions o, String bootstrap, int port) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("kafka.bootstrap.servers", bootstrap);
        props.put("quarkus.http.port", Integer.toString(port));
        props.put("quarkus.http.host", o.site().listen());
        props.put("quarkus.management.port", Integer.toString(port + MANAGEMENT_PORT_OFFSET));
        // Health and metrics have no authentication: this machine only, whatever --listen says.
        props.put("quarkus.management.host", LocalOptions.LOOPBACK);
        return props;
    }

    private LocalServices() {
    }
}
