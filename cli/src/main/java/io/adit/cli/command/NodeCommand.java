package io.adit.cli.command;

import io.adit.api.v1.JoinToken;
import io.adit.api.v1.Node;
import io.adit.cli.output.Human;
import io.adit.cli.output.NodeText;
import io.adit.cli.output.Views.JoinTokenView;
import io.adit.cli.output.Views.NodeView;
import io.adit.common.validation.Durations;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aditctl node ...}: the hosts whose agents run the services. */
@Command(name = "node", description = "List nodes and create join tokens for new ones.",
    subcommands = {NodeCommand.ListNodes.class, NodeCommand.Token.class},
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

  @Command(name = "token", description = "Join tokens: one-time secrets a new node joins with.",
      subcommands = Token.Create.class,
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
  }
}
