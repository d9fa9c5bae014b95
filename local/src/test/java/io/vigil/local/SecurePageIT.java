package io.vigil.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.local.broker.LocalSecurity;
import io.vigil.local.process.ServiceProcess;
import io.vigil.proto.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil-local --secure}: the packaged alert-sink serves its page and API over HTTPS only, with a certificate of
 * the local CA, and its login cookie is marked Secure; the keystore's password is in no log and on no command line.
 */
class SecurePageIT {

    @TempDir
    Path temp;

    @Test
    void theAlertSinkServesThePageAndTheApiOverHttpsOnly() throws Exception {
        Path home = Path.of("..").toAbsolutePath().normalize();
        Path data = temp.resolve("data");
        LocalOptions options = LocalOptions.parse(new String[] {"--data-dir", data.toString(), "--secure"});
        io.vigil.auth.LoginFiles login = PageLogin.in(data);
        login.createIfMissing();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Config(temp.resolve("kafka"), 0, 0,
                Topics.DEFAULTS, Duration.ofSeconds(120)))) {
            ServiceSpec spec = LocalServices.services(options, broker.bootstrapServers()).stream()
                    .filter(s -> s.name().equals("alert-sink")).findFirst().orElseThrow();
            Map<String, String> props = new LinkedHashMap<>(spec.properties());
            props.put("kafka-streams.state.dir", temp.resolve("state").toString());
            Path log = temp.resolve("alert-sink.log");
            ServiceProcess service = ServiceProcess.start("alert-sink", home.resolve("alert-sink/target/quarkus-app/quarkus-run.jar"),
                    props, spec.environment(), log);
            try {
                HealthProbe.await("alert-sink", spec.managementPort(), "ready", Duration.ofMinutes(2));
                LocalSecurity security = LocalSecurity.createOrLoad(data.resolve("tls"));
                assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains(
                        security.webKeystorePassword())), "the keystore password on a command line");
                HttpClient https = HttpClient.newBuilder().sslContext(trusting(security.caCertificate())).build();

                HttpResponse<String> page = https.send(HttpRequest.newBuilder(URI.create("https://localhost:8085/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, page.statusCode());
                assertTrue(page.body().contains("<title>Vigil"), "the page");
                String password = Files.readString(login.passwordFile()).strip();
                HttpResponse<String> ok = https.send(HttpRequest.newBuilder(URI.create("https://localhost:8085/auth/login"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                "{\"username\": \"" + PageLogin.USER + "\", \"password\": \"" + password + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ok.statusCode(), ok.body());
                String cookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
                assertTrue(cookie.contains("Secure") && cookie.contains("HttpOnly"), cookie);
                assertEquals(200, https.send(HttpRequest.newBuilder(URI.create("https://localhost:8085/events"))
                        .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());

                // No plain HTTP, and a client that does not trust the local CA is refused.
                assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:8085/")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
                assertThrows(SSLHandshakeException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("https://localhost:8085/")).build(), HttpResponse.BodyHandlers.discarding()));
            } finally {
                ServiceProcess.stopAll(List.of(service));
            }
            String logged = Files.readString(log);
            for (String secret : security().secrets()) {
                assertFalse(logged.contains(secret), "a TLS secret in the alert-sink's log");
            }
        }
    }

    private LocalSecurity security() {
        return LocalSecurity.createOrLoad(temp.resolve("data/tls"));
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("vigil-local-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
