package io.vigil.alerts.auth;

import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import io.vigil.auth.LocalUsers;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * The built-in login: a user of the users file gets a token, as JSON for API clients ({@code Authorization: Bearer})
 * and as an HTTP-only, same-site cookie for the page, which its live stream sends too.
 */
@Path("/auth")
public class AuthResource {

    /** The cookie the page's token travels in; {@code mp.jwt.token.cookie} names the same. */
    public static final String COOKIE = "vigil_token";

    public record Credentials(String username, String password) {
    }

    public record Token(String token, String tokenType, long expiresInSeconds, String user, String role) {
    }

    public record Me(String user, Set<String> roles) {
    }

    private final LocalLogin login;
    private final SecurityIdentity identity;

    public AuthResource(LocalLogin login, SecurityIdentity identity) {
        this.login = login;
        this.identity = identity;
    }

    @POST
    @Path("login")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response login(Credentials credentials, @Context UriInfo uri, @Context HttpServerRequest request) {
        LocalLogin.BuiltIn builtIn = login.builtIn().orElseThrow(() -> new NotFoundException(
                "there is no built-in login here: use a bearer token from the identity provider"));
        if (credentials == null || credentials.username() == null || credentials.password() == null
                || credentials.username().length() > 64 || credentials.password().length() > 1024) {
            throw new BadRequestException("a login is {\"username\": ..., \"password\": ...}");
        }
        LoginGuard.Result result = builtIn.guard().login(credentials.username(), request.remoteAddress().hostAddress(),
                credentials.password().toCharArray());
        return switch (result.outcome()) {
            case OK -> {
                LocalUsers.User user = result.user().orElseThrow();
                TokenIssuer tokens = builtIn.tokens();
                String token = tokens.issue(user);
                yield Response.ok(new Token(token, "Bearer", tokens.lifetime().toSeconds(), user.name(), user.role()))
                        .cookie(cookie(token, tokens.lifetime(), uri)).header("Cache-Control", "no-store").build();
            }
            case WRONG -> Response.status(Response.Status.UNAUTHORIZED).entity("wrong user name or password").build();
            case LOCKED, BUSY -> Response.status(Response.Status.TOO_MANY_REQUESTS)
                    .header("Retry-After", Math.max(1, result.retryAfter().toSeconds()))
                    .entity(result.outcome() == LoginGuard.Outcome.LOCKED ? "too many failed logins for this user from here; try again later"
                            : "too many logins at once; try again later")
                    .build();
        };
    }

    /** Forgets the page's cookie (a token given to an API client lasts until it expires). */
    @POST
    @Path("logout")
    @PermitAll
    public Response logout(@Context UriInfo uri) {
        return Response.noContent().cookie(cookie("", Duration.ZERO, uri)).build();
    }

    /** Who the caller is, and their roles. */
    @GET
    @Path("me")
    @Authenticated
    @Produces(MediaType.APPLICATION_JSON)
    public Me me() {
        return new Me(identity.getPrincipal().getName(), new TreeSet<>(identity.getRoles()));
    }

    private static NewCookie cookie(String value, Duration maxAge, UriInfo uri) {
        return new NewCookie.Builder(COOKIE).value(value).path("/").httpOnly(true).sameSite(NewCookie.SameSite.STRICT)
                .secure("https".equals(uri.getRequestUri().getScheme())).maxAge((int) maxAge.toSeconds()).build();
    }
}
