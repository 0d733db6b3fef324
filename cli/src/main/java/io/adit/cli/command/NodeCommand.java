package io.adit.cli.command;

import io.adit.api.v1.DeleteNodeResponse;
import io.adit.api.v1.JoinToken;
import io.adit.api.v1.JoinTokenInfo;
import io.adit.api.v1.Node;
import io.adit.cli.output.Human;
import io.adit.cli.output.NodeText;
import io.adit.cli.output.Table;
import io.adit.cli.output.Views.JoinTokenView;
import io.adit.cli.output.Views.NodeView;
import io.adit.cli.output.Views.TokenInfoView;
import io.adit.common.validation.Durations;
import io.adit.common.validation.Names;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aditctl node ...}: the hosts whose agents run the services. */
@Command(name = "node", description = "List and delete nodes; create, list and revoke join tokens.",
    subcommands = {NodeCommand.ListNodes.class, NodeCommand.Delete.class, NodeCommand.Token.class},
    footer = {"%nExample:", "  aditctl node list"})
final class NodeCommand {

  @Command(name = "list", description = "List joined nodes and whether their agent is alive.",
      footer = {"%nExamples:", "  aditctl node list", "  aditctl node list -o json | jq -r '.[] | select(.ready | not) | .name'"})
  static final class ListNodes extends ApiCommand {
    @Override
    protected void run() {
      List<Node> nodes = api().listNodes();
      printer().print(nodes.stream().map(NodeView::of).toList(), () -> NodeText.list(out(), nodes, now()));
    }
  }

  @Command(name = "delete", description = {"Delete a node: revoke its certificates and free its name.",
      "Its agent can no longer reach the controller and other agents refuse it at once. Refused while a"
          + " service still names the node in --node: move those services first."},
      footer = {"%nExample:", "  aditctl node delete node3"})
  static final class Delete extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "The node to delete.")
    String name;

    @Override
    protected void run() {
      Names.requireDnsLabel("node name", name);
      DeleteNodeResponse deleted = api().deleteNode(name);
      printer().print(NodeView.of(deleted.getNode()), () -> done("node " + name + " deleted; "
          + deleted.getRevokedSerialsCount() + " certificate(s) revoked"
          + (deleted.getRevokedSerialsCount() == 0 ? "" : " (" + String.join(", ", deleted.getRevokedSerialsList()) + ")")));
    }
  }

  @Command(name = "token", description = "Join tokens: one-time secrets a new node joins with.",
      subcommands = {Token.Create.class, Token.ListTokens.class, Token.Revoke.class},
      footer = {"%nExample:", "  aditctl node token create --ttl 30m"})
  static final class Token {

    @Command(name = "create", description = {"Create a one-time join token.",
        "The token alone goes to stdout, its expiry to stderr. It pins the cluster CA, so the agent"
            + " that uses it never trusts the controller blindly."},
        footer = {"%nExamples:", "  aditctl node token create --ttl 30m",
            "  TOKEN=$(aditctl node token create)   # stdout holds the token alone"})
    static final class Create extends ApiCommand {
      @Option(names = "--ttl", paramLabel = "DURATION",
          description = "How long the token stays valid, e.g. 30m. Default: the controller's (10m).")
      String ttl;

      @Override
      protected void run() {
        long seconds = 0;
        if (ttl != null) {
          Duration d = Durations.parse("--ttl", ttl);
          if (d.getSeconds() < 1) {
            throw usage("--ttl " + ttl + " is too short: give at least 1s, e.g. 10m");
          }
          seconds = d.getSeconds();
        }
        JoinToken token = api().createJoinToken(seconds);
        printer().print(JoinTokenView.of(token), () -> out().println(token.getToken()));
        err().println("token " + token.getId() + " expires at " + Human.timeAndRelative(token.getExpireTime(), now())
            + "; it can be used once");
      }
    }

    @Command(name = "list", description = "List join tokens (never their secrets): unused, used by which node, expired or revoked.",
        footer = {"%nExample:", "  aditctl node token list"})
    static final class ListTokens extends ApiCommand {
      @Override
      protected void run() {
        List<JoinTokenInfo> tokens = api().listJoinTokens();
        printer().print(tokens.stream().map(TokenInfoView::of).toList(), () -> {
          Table t = Table.of("ID", "STATE", "CREATED", "EXPIRES", "BY");
          for (JoinTokenInfo i : tokens) {
            t.row(i.getId(), state(i), Human.time(i.getCreateTime()), Human.relative(i.getExpireTime(), now()),
                Human.orDash(i.getCreatedBy()));
          }
          t.print(out());
        });
      }

      private String state(JoinTokenInfo i) {
        if (!i.getUsedBy().isEmpty()) {
          return "used by " + i.getUsedBy();
        }
        if (Human.instant(i.getRevokeTime()) != null) {
          return "revoked";
        }
        Instant expiry = Human.instant(i.getExpireTime());
        return expiry != null && !now().isBefore(expiry) ? "expired" : "unused";
      }
    }

    @Command(name = "revoke", description = "Revoke an unused join token, so no node can join with it.",
        footer = {"%nExample:", "  aditctl node token revoke 3f2a9c0d41"})
    static final class Revoke extends ApiCommand {
      @Parameters(paramLabel = "ID", description = "The token's id (as node token list shows it), or the whole token.")
      String id;

      @Override
      protected void run() {
        JoinTokenInfo t = api().revokeJoinToken(id);
        printer().print(TokenInfoView.of(t), () -> done("join token " + t.getId() + " revoked"));
      }
    }
  }
}
