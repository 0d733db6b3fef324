package io.adit.cli.command;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ScopeType;

/** {@code aditctl}: the top of the command tree, holder of the global options and the context. */
@Command(name = "aditctl", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
    versionProvider = RootCommand.Version.class,
    description = "Manage Adit: TLS tunnels (services), client identities, the CA and nodes.",
    footer = {"%nExamples:",
        "  aditctl --config admin.conf service list",
        "  aditctl service create web --accept 443 --connect localhost:8080 --node n1",
        "  aditctl identity issue client1 --out ./client1"})
public final class RootCommand {
  /**
   * The nouns, in help order. They are added by {@link io.adit.cli.AditCtl}, which builds only
   * the one a command line names: picocli's model of every command costs start-up time that a
   * script calling {@code aditctl service list} in a loop would pay on every call.
   */
  public static final Map<String, Class<?>> NOUNS = nouns();

  private static Map<String, Class<?>> nouns() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("service", ServiceCommand.class);
    m.put("identity", IdentityCommand.class);
    m.put("cert", CertCommand.class);
    m.put("ca", CaCommand.class);
    m.put("node", NodeCommand.class);
    m.put("admin", AdminCommand.class);
    m.put("audit", AuditCommand.class);
    m.put("import", ImportCommand.class);
    m.put("apply", ApplyCommand.Apply.class);
    m.put("diff", ApplyCommand.Diff.class);
    m.put("completion", CompletionCommand.class);
    m.put("help", HelpCommand.class);
    return Collections.unmodifiableMap(m);
  }

  @Mixin
  GlobalOptions global;

  private final Context context;

  public RootCommand(Context context) {
    this.context = context;
  }

  public GlobalOptions global() {
    return global;
  }

  Context context() {
    return context;
  }

  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RootCommand.class.getPackage().getImplementationVersion();
      return new String[] {"aditctl " + (v == null ? "(development build)" : v)};
    }
  }
}
