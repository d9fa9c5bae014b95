package io.vigil.local.broker;

import io.vigil.auth.OwnerOnly;
import io.vigil.proto.ServiceAccess;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;

/**
 * SASL_SSL with mutual TLS for the local broker: a private CA, a broker and a client certificate (PKCS12, made with
 * the JDK's {@code keytool}), one SCRAM-SHA-512 user per service with exactly the ACLs of {@link ServiceAccess} (the
 * broker's authorizer refuses everything else; PLAIN is only the broker's own user, a super user for the broker, the
 * controller and the operator's tools), and the client settings each service reads from a properties file of its own
 * ({@code quarkus.config.locations}), the way the Kubernetes manifests mount each service's KafkaUser Secret.
 * Passwords are random, kept in files only their owner can read, and never put on a command line. Created once per
 * directory and reused, so a broker restarted on the same data keeps its certificates.
 */
public final class LocalSecurity {

    /** The principal of a service of the main job (frame-ingest, ...), as {@link ServiceAccess} names it. */
    public static String principalOf(String service) {
        return "vigil-" + service;
    }
    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required";
    private static final String SCRAM = "SCRAM-SHA-512";
    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required";

    private final Path dir;
    private final Properties secrets;

    private LocalSecurity(Path dir, Properties secrets) {
        this.dir = dir;
        this.secrets = secrets;
    }

    /** Loads the CA, stores and passwords in {@code dir}, creating them on first use. */
    public static LocalSecurity createOrLoad(Path dir) {
        try {
            Path secretsFile = dir.resolve("secrets.properties");
            if (Files.exists(secretsFile) && Files.exists(dir.resolve("client.p12")) && Files.exists(dir.resolve("web.p12"))) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(secretsFile, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                if (addUserPasswords(p)) { // a directory made before the per-service users
                    writePrivate(secretsFile, p, "Passwords of the local broker's TLS stores and SASL users");
                }
                return new LocalSecurity(dir, p);
            }
            Files.createDirectories(dir);
            Properties p = new Properties();
            p.setProperty("store.password", randomSecret());
            p.setProperty("admin.password", randomSecret());
            addUserPasswords(p);
            writePrivate(secretsFile, p, "Passwords of the local broker's TLS stores and SASL users");
            LocalSecurity security = new LocalSecurity(dir, p);
            security.makeCertificates();
            return security;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up TLS in " + dir, e);
        }
    }

    /** A password for every principal of {@link ServiceAccess} that has none yet; true if any was added. */
    private static boolean addUserPasswords(Properties p) {
        boolean added = false;
        for (ServiceAccess.Principal principal : ServiceAccess.all()) {
            if (p.getProperty(passwordKey(principal.user())) == null) {
                p.setProperty(passwordKey(principal.user()), randomSecret());
                added = true;
            }
        }
        return added;
    }

    private static String passwordKey(String user) {
        return "user." + user + ".password";
    }

    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    public Path brokerKeystore() {
        return dir.resolve("broker.p12");
    }

    public Path clientKeystore() {
        return dir.resolve("client.p12");
    }

    /** The alert-sink's HTTPS certificate (localhost, 127.0.0.1), signed by the same CA. */
    public Path webKeystore() {
        return dir.resolve("web.p12");
    }

    /** The CA's certificate (PEM), for browsers and clients that talk to the alert-sink over HTTPS. */
    public Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    /**
     * The alert-sink's HTTPS settings: TLS only, on {@code port}. The keystore's password is not among them: it goes
     * in {@link #WEB_KEYSTORE_PASSWORD_VARIABLE}, out of command lines.
     */
    public Map<String, String> webServerProperties(int port) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("quarkus.http.ssl.certificate.key-store-file", webKeystore().toAbsolutePath().toString());
        p.put("quarkus.http.ssl.certificate.key-store-file-type", "PKCS12");
        p.put("quarkus.http.ssl-port", Integer.toString(port));
        p.put("quarkus.http.insecure-requests", "disabled");
        return p;
    }

    public static final String WEB_KEYSTORE_PASSWORD_VARIABLE = "QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_PASSWORD";

    public String webKeystorePassword() {
        return secret("store.password");
    }

    /** Every secret value, so tests can check that none of them reaches a log. */
    public List<String> secrets() {
        return secrets.stringPropertyNames().stream().map(secrets::getProperty).toList();
    }

    /**
     * The broker's listener settings: SASL_SSL with client certificates required. The services authenticate with
     * SCRAM-SHA-512, as against Strimzi in production; PLAIN is only the broker's own user (between brokers and for
     * the admin client that creates topics and the services' SCRAM credentials).
     */
    public Map<String, String> brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        String admin = PLAIN_LOGIN + " username=\"admin\" password=\"" + secret("admin.password") + "\" user_admin=\""
                + secret("admin.password") + "\";";
        p.put("sasl.enabled.mechanisms", "PLAIN," + SCRAM);
        p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        p.put("listener.name.sasl_ssl.plain.sasl.jaas.config", admin);
        p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", SCRAM_LOGIN + ";");
        // Kafka ignores the unprefixed ssl.client.auth on SASL_SSL listeners (KIP-684): only this makes certificates required.
        p.put("listener.name.sasl_ssl.ssl.client.auth", "required");
        // The controller's listener is authenticated too, as the broker's own user: an anonymous one would have to be a
        // super user, and any local process could then change the ACLs through it.
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name.controller.plain.sasl.jaas.config", admin);
        p.put("listener.name.controller.ssl.client.auth", "required");
        // Every request is checked against the ACLs; only the broker's own user passes without them.
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:admin");
        p.putAll(stores(brokerKeystore()));
        return p;
    }

    /** A principal's Kafka client settings (without bootstrap servers): SCRAM-SHA-512 over TLS with a certificate. */
    public Map<String, Object> clientConfig(String principal) {
        String password = secret(passwordKey(principal));
        if (password == null) {
            throw new IllegalArgumentException("no Kafka user " + principal + " (users: " + ServiceAccess.all().stream()
                    .map(ServiceAccess.Principal::user).toList() + ")");
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", SCRAM);
        p.put("sasl.jaas.config", SCRAM_LOGIN + " username=\"" + principal + "\" password=\"" + password + "\";");
        p.putAll(stores(clientKeystore()));
        return p;
    }

    /**
     * The broker's own user (a super user), for the local broker's admin client and the operator's tools on this
     * machine: the print-out, the evaluator reading frame scores, Kafka's command-line tools.
     */
    public Map<String, Object> toolConfig() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "PLAIN");
        p.put("sasl.jaas.config", PLAIN_LOGIN + " username=\"admin\" password=\"" + secret("admin.password") + "\";");
        p.putAll(stores(clientKeystore()));
        return p;
    }

    /**
     * Creates (or resets) every principal's SCRAM credential and ACLs ({@link ServiceAccess}); both are kept in the
     * cluster metadata across restarts.
     */
    public void upsertUsersAndAcls(Admin admin) {
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        List<AclBinding> acls = new ArrayList<>();
        for (ServiceAccess.Principal principal : ServiceAccess.all()) {
            users.add(new UserScramCredentialUpsertion(principal.user(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), secret(passwordKey(principal.user()))));
            acls.addAll(KafkaAcls.of(principal));
        }
        try {
            admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the Kafka users", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not create the Kafka users and their ACLs: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a service's client settings, under {@code kafka.} (plain clients) and {@code kafka-streams.} (Kafka
     * Streams) as {@code principal}, readable by the owner only; the service gets
     * {@code -Dquarkus.config.locations=<file>}.
     */
    public Path writeServiceConfig(String service, String principal) {
        Properties p = new Properties();
        clientConfig(principal).forEach((k, v) -> {
            p.setProperty("kafka." + k, v.toString());
            p.setProperty("kafka-streams." + k, v.toString());
        });
        return writeSettings("kafka-client-" + service + ".properties", p, "Kafka client settings of " + service);
    }

    /**
     * Writes the tools' client settings with Kafka's own key names, owner-only (Kafka's {@code --command-config}, the
     * evaluator's {@code --kafka-config}).
     */
    public Path writeToolConfig() {
        Properties p = new Properties();
        toolConfig().forEach((k, v) -> p.setProperty(k, v.toString()));
        return writeSettings("client.properties", p, "Kafka client settings for tools (the broker's own user)");
    }

    /** The trainer's client settings (it reads footage and events, nothing else), for a learning run. */
    public Path writeTrainerConfig() {
        Properties p = new Properties();
        clientConfig(ServiceAccess.MODEL_TRAINER).forEach((k, v) -> p.setProperty(k, v.toString()));
        return writeSettings("trainer.properties", p, "Kafka client settings of the model trainer");
    }

    private Path writeSettings(String fileName, Properties p, String comment) {
        Path file = dir.resolve(fileName);
        try {
            writePrivate(file, p, comment + " (SASL_SSL + SCRAM-SHA-512 + client certificate)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private Map<String, String> stores(Path keystore) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ssl.keystore.location", keystore.toAbsolutePath().toString());
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.password", secret("store.password"));
        p.put("ssl.key.password", secret("store.password"));
        p.put("ssl.truststore.location", truststore().toAbsolutePath().toString());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.password", secret("store.password"));
        return p;
    }

    private String secret(String name) {
        return secrets.getProperty(name);
    }

    private void makeCertificates() throws IOException {
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=Vigil local CA", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "825", "-ext", "bc:c", "-keystore", "ca.p12");
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", "ca.pem", "-keystore", "ca.p12");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.p12");
        for (String name : List.of("broker", "client", "web")) {
            String store = name + ".p12";
            keytool("-genkeypair", "-alias", name, "-dname", "CN=vigil-" + name, "-keyalg", "RSA", "-keysize", "2048",
                    "-validity", "825", "-keystore", store);
            keytool("-certreq", "-alias", name, "-file", name + ".csr", "-keystore", store);
            // The broker's certificate names the address clients dial, so hostname verification stays on.
            keytool("-gencert", "-alias", "ca", "-infile", name + ".csr", "-outfile", name + ".pem", "-rfc", "-validity", "825",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth,clientAuth", "-keystore", "ca.p12");
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", store);
            keytool("-importcert", "-alias", name, "-file", name + ".pem", "-keystore", store);
            Files.delete(dir.resolve(name + ".csr"));
        }
    }

    /** Runs keytool in {@code dir} on PKCS12 stores; the store password comes from the environment, not the arguments. */
    private void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass:env", "VIGIL_STORE_PASSWORD"));
        if (args[0].equals("-genkeypair")) {
            cmd.addAll(List.of("-keypass:env", "VIGIL_STORE_PASSWORD"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("VIGIL_STORE_PASSWORD", secret("store.password"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    private static void writePrivate(Path file, Properties p, String comment) throws IOException {
        OwnerOnly.create(file);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, comment);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
