package io.adit.common.grpc;

import io.adit.common.validation.HostPort;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Resolves a fixed list of controllers (a config file's, or an agent's --controller) into one
 * address group per controller, in the order given, so that grpc's pick_first policy fails over from one to the next at
 * connection level. Each group carries its own authority, so TLS checks every controller's
 * certificate against the name the config uses for it rather than the first one's.
 *
 * <p>Registered once per process under the scheme {@value #SCHEME}; the controllers travel in
 * the target itself ({@code adit-controllers:///<url-encoded list>}), so the registry holds no
 * per-call state.
 */
public final class ControllerResolver extends NameResolverProvider {
  public static final String SCHEME = "adit-controllers";
  private static boolean registered;

  /** The channel target for these controllers; registers the scheme on first use. */
  public static synchronized String target(List<HostPort> controllers) {
    if (!registered) {
      NameResolverRegistry.getDefaultRegistry().register(new ControllerResolver());
      registered = true;
    }
    List<String> names = controllers.stream().map(HostPort::toString).toList();
    return SCHEME + ":///" + URLEncoder.encode(String.join(",", names), StandardCharsets.UTF_8);
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 1; // below DNS (5): never the default for targets without a scheme
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    List<HostPort> controllers = new ArrayList<>();
    for (String s : targetUri.getPath().substring(1).split(",")) {
      controllers.add(HostPort.parse("controller", s, true));
    }
    return new Resolver(controllers);
  }

  private static final class Resolver extends NameResolver {
    private final List<HostPort> controllers;
    private Listener2 listener;

    Resolver(List<HostPort> controllers) {
      this.controllers = controllers;
    }

    @Override
    public String getServiceAuthority() {
      return controllers.get(0).toString();
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      resolve();
    }

    @Override
    public void refresh() {
      resolve();
    }

    /** Blocking DNS on the channel's thread: a handful of names, resolved again only on refresh. */
    private void resolve() {
      List<EquivalentAddressGroup> groups = new ArrayList<>();
      UnknownHostException lastError = null;
      for (HostPort c : controllers) {
        try {
          List<SocketAddress> addresses = new ArrayList<>();
          for (InetAddress a : Arrays.asList(InetAddress.getAllByName(c.host()))) {
            addresses.add(new InetSocketAddress(a, c.port()));
          }
          Attributes attrs = Attributes.newBuilder()
              .set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, c.toString())
              .build();
          groups.add(new EquivalentAddressGroup(addresses, attrs));
        } catch (UnknownHostException e) {
          lastError = e;
        }
      }
      StatusOr<List<EquivalentAddressGroup>> result = groups.isEmpty()
          ? StatusOr.fromStatus(Status.UNAVAILABLE
              .withDescription("cannot resolve the controller host" + (controllers.size() > 1 ? "s " : " ")
                  + String.join(", ", controllers.stream().map(HostPort::host).toList()))
              .withCause(lastError))
          : StatusOr.fromValue(groups);
      listener.onResult(ResolutionResult.newBuilder().setAddressesOrError(result).build());
    }

    @Override
    public void shutdown() {}
  }
}
