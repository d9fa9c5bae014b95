package io.vigil.alerts.auth;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.vigil.alerts.AlertConfig;
import io.vigil.auth.LocalUsers;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * With {@code vigil.alerts.auth.enabled=false}, every caller is let in with every role (the API as it was before
 * authentication, for a network nobody else is on). With authentication on it does nothing, and the token
 * mechanism decides.
 */
@ApplicationScoped
public class OpenAccessMechanism implements HttpAuthenticationMechanism {

    private static final SecurityIdentity EVERYONE = QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal("open-access")).addRoles(LocalUsers.ROLES).build();

    private final boolean open;

    public OpenAccessMechanism(AlertConfig config) {
        this.open = !config.auth().enabled();
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        return open ? Uni.createFrom().item(EVERYONE) : Uni.createFrom().nullItem();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 1000; // before the token mechanism
    }
}
