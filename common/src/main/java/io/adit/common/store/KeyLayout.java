package io.adit.common.store;

/**
 * Where everything lives in etcd. The one place that knows the layout; controllers and agents
 * both go through it. Every key is under a versioned root, so a future layout can sit beside
 * this one during an upgrade.
 *
 * <pre>
 * /adit/v1/services/&lt;name&gt;                 service spec
 * /adit/v1/identities/&lt;name&gt;               client identity (public parts)
 * /adit/v1/nodes/&lt;node&gt;/info               node registration (permanent)
 * /adit/v1/nodes/&lt;node&gt;/presence           bound to the node's lease: present = Ready
 * /adit/v1/nodes/&lt;node&gt;/heartbeat          when the agent was last seen (no lease)
 * /adit/v1/nodes/&lt;node&gt;/status/&lt;service&gt;   what the node runs for that service
 * /adit/v1/revoked/&lt;serial&gt;                revocations (until the certificate expires)
 * /adit/v1/issued/&lt;serial&gt;                 certificates the CA signed (until they expire)
 * /adit/v1/ca/meta                         trust domain, active CA, bundle version
 * /adit/v1/ca/authorities/&lt;id&gt;            CA certificate + sealed key
 * /adit/v1/ca/crl                          the last CRL number
 * /adit/v1/tokens/&lt;id&gt;                    hashed join token
 * /adit/v1/audit/&lt;time&gt;-&lt;id&gt;              who changed what
 * /adit/v1/trust/bundle                    the public trust bundle (no keys): agents watch it
 * /adit/v1/nodes/&lt;node&gt;/trust              which bundle the node's agent has applied
 * </pre>
 */
public final class KeyLayout {
  public static final String ROOT = "/adit/v1/";
  public static final String SERVICES = ROOT + "services/";
  public static final String IDENTITIES = ROOT + "identities/";
  public static final String NODES = ROOT + "nodes/";
  public static final String REVOKED = ROOT + "revoked/";
  public static final String ISSUED = ROOT + "issued/";
  public static final String CA = ROOT + "ca/";
  public static final String CA_META = CA + "meta";
  public static final String CA_AUTHORITIES = CA + "authorities/";
  public static final String CA_CRL = CA + "crl";
  public static final String TOKENS = ROOT + "tokens/";
  public static final String AUDIT = ROOT + "audit/";
  /** Public trust material only, apart from {@link #CA} (which holds sealed keys), so agents can read it alone. */
  public static final String TRUST = ROOT + "trust/";
  public static final String TRUST_BUNDLE = TRUST + "bundle";

  private KeyLayout() {}

  public static String service(String name) {
    return SERVICES + name;
  }

  public static String identity(String name) {
    return IDENTITIES + name;
  }

  public static String nodePrefix(String node) {
    return NODES + node + "/";
  }

  public static String nodeInfo(String node) {
    return nodePrefix(node) + "info";
  }

  public static String nodePresence(String node) {
    return nodePrefix(node) + "presence";
  }

  /** The node's last heartbeat, without a lease, so that a NotReady node still shows when it was last seen. */
  public static String nodeHeartbeat(String node) {
    return nodePrefix(node) + "heartbeat";
  }

  public static String nodeStatus(String node, String service) {
    return nodePrefix(node) + "status/" + service;
  }

  /** Where a node's agent writes its per-service status: {@code nodes/<node>/status/}. */
  public static String nodeStatusPrefix(String node) {
    return nodePrefix(node) + "status/";
  }

  /**
   * The end (exclusive) of the key range holding every key that starts with {@code prefix}, as
   * etcd's range_end: the prefix with its last byte plus one ({@code services/} → {@code services0}).
   */
  public static String rangeEnd(String prefix) {
    if (prefix.isEmpty() || prefix.charAt(prefix.length() - 1) >= 0x7f) {
      throw new IllegalArgumentException("not an ASCII key prefix: " + prefix);
    }
    return prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
  }

  /** Which trust bundle the node's agent has applied, by fingerprint. */
  public static String nodeTrust(String node) {
    return nodePrefix(node) + "trust";
  }

  public static String authority(String id) {
    return CA_AUTHORITIES + id;
  }

  public static String token(String id) {
    return TOKENS + id;
  }

  public static String issued(String serialHex) {
    return ISSUED + serialHex;
  }

  public static String revoked(String serialHex) {
    return REVOKED + serialHex;
  }

  /** The last path segment of a key: the name in {@code services/<name>}. */
  public static String lastSegment(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  /**
   * The node and the rest of a key under {@code nodes/}: {@code ["n1", "info"]},
   * {@code ["n1", "status/svc"]}; null for other keys.
   */
  public static String[] splitNodeKey(String key) {
    if (!key.startsWith(NODES)) {
      return null;
    }
    String rest = key.substring(NODES.length());
    int slash = rest.indexOf('/');
    return slash < 0 ? null : new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
  }
}
