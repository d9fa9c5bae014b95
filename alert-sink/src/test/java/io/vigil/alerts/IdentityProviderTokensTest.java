package io.vigil.alerts;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.jwt.build.Jwt;
import io.vigil.testkit.KafkaBrokerResource;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tokens of a cluster's identity provider, as Keycloak issues them: the alert-sink fetches the provider's keys from
 * its JWKS URL, checks the issuer, and takes the roles from {@code realm_access.roles} (as k8s/base/alert-sink.yaml
 * configures it). The provider here is a JWKS document served over HTTP with a key of this test's own.
 */
@QuarkusTest
@TestProfile(IdentityProviderTokensTest.Profile.class)
@WithTestResource(KafkaBrokerResource.class)
class IdentityProviderTokensTest {

    static final String ISSUER = "https://sso.example.test/realms/vigil";
    /** The audience the cluster overlay verifies: the identity provider's client for Vigil. */
    static final String AUDIENCE = "vigil";
    static final Path STATE = Path.of(System.getProperty("java.io.tmpdir"), "vigil-alert-idp-" + ProcessHandle.current().pid());

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vigil.alerts.auth.enabled", "true",
                    "mp.jwt.verify.publickey.location", "http://127.0.0.1:" + Provider.port() + "/realms/vigil/certs",
                    "mp.jwt.verify.issuer", ISSUER, "smallrye.jwt.path.groups", "realm_access/roles",
                    "mp.jwt.verify.audiences", AUDIENCE, "kafka-streams.state.dir", STATE.toString());
        }
    }

    /** One identity provider per JVM (the profile and the test run in different class loaders). */
    static final class Provider {
        static KeyPair keys;
        static int port;

        static synchronized int port() {
            if (keys == null) {
                try {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(2048);
                    keys = g.generateKeyPair();
                    RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
                    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
                    String jwks = "{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"realm-key\", \"use\": \"sig\", \"alg\": \"RS256\", "
                            + "\"n\": \"" + b64.encodeToString(unsigned(pub.getModulus().toByteArray())) + "\", \"e\": \""
                            + b64.encodeToString(unsigned(pub.getPublicExponent().toByteArray())) + "\"}]}";
                    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                    server.createContext("/realms/vigil/certs", exchange -> {
                        byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
                        exchange.getResponseHeaders().add("Content-Type", "application/json");
                        exchange.sendResponseHeaders(200, body.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(body);
                        }
                    });
                    server.start();
                    port = server.getAddress().getPort();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot serve the identity provider's keys", e);
                }
            }
            return port;
        }

        private static byte[] unsigned(byte[] twosComplement) {
            return twosComplement[0] == 0 ? java.util.Arrays.copyOfRange(twosComplement, 1, twosComplement.length) : twosComplement;
        }

        /** A token as Keycloak shapes it: roles under realm_access, the user in preferred_username, for Vigil. */
        static String token(String user, List<String> roles, String issuer) {
            return token(user, roles, issuer, AUDIENCE);
        }

        static String token(String user, List<String> roles, String issuer, String audience) {
            port();
            return Jwt.issuer(issuer).audience(audience).subject("f81d4fae-7dec-11d0-a765-" + user)
                    .claim("preferred_username", user).claim("realm_access", Map.of("roles", roles))
                    .expiresIn(Duration.ofMinutes(5)).jws().keyId("realm-key").sign(keys.getPrivate());
        }
    }

    @Test
    void theProvidersTokensAreCheckedAgainstItsPublishedKeysWithItsRoles() {
        given().auth().oauth2(Provider.token("olga", List.of("operator", "offline_access"), ISSUER)).get("/auth/me")
                .then().statusCode(200).body("user", equalTo("olga")).body("roles", equalTo(List.of("offline_access", "operator")));
        given().auth().oauth2(Provider.token("vic", List.of("viewer"), ISSUER)).get("/events").then().statusCode(200);
        given().auth().oauth2(Provider.token("vic", List.of("viewer"), ISSUER)).contentType("application/json").body("{}")
                .post("/events/cam-1:5/acknowledge").then().statusCode(403);
        given().auth().oauth2(Provider.token("nobody", List.of("offline_access"), ISSUER)).get("/events").then().statusCode(403);
        given().auth().oauth2(Provider.token("olga", List.of("operator"), "https://elsewhere.test/realms/x")).get("/events")
                .then().statusCode(401);
        // A token the same provider issued for another of its clients is no token for Vigil.
        given().auth().oauth2(Provider.token("olga", List.of("operator"), ISSUER, "account")).get("/events")
                .then().statusCode(401);
        // No built-in login where the identity provider issues the tokens.
        given().contentType("application/json").body("{\"username\": \"olga\", \"password\": \"x\"}").post("/auth/login")
                .then().statusCode(404);
    }
}
