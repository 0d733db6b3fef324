package io.adit.agent.relay;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * One relayed connection, as logged.
 *
 * @param identity server mode: the client's identity (the name in its {@code spiffe://…/client/NAME}
 *     URI SAN, or its subject when it has none), "-" without a certificate; client mode: "-"
 * @param peerCertificate server mode: the client's certificate, when it presented one; client
 *     mode: the server's
 */
public record ConnectionInfo(String service, InetSocketAddress peer, String identity, InetSocketAddress backend,
    Optional<X509Certificate> peerCertificate) {}
