package io.adit.agent;

/** The node agent's entry point. The agent itself arrives with the node-agent work. */
public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) {
    System.err.println("adit-agent: the node agent is not built yet; this binary is a placeholder.");
    System.exit(2);
  }
}
