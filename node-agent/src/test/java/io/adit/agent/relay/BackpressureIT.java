package io.adit.agent.relay;

import static io.adit.agent.relay.RelayFixture.CA;
import static io.adit.agent.relay.RelayFixture.CLIENT1;
import static io.adit.agent.relay.RelayFixture.serverSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.adit.agent.tls.Provider;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A fast sender and a reader that does not read: the relay must stop reading from the sender
 * instead of buffering what the reader cannot take. Asserted on the relay's own peak buffer, so
 * the test does not depend on timing. Senders keep their connection open while data flows: after
 * a FIN, Netty's epoll transport drains the socket's receive buffer whatever auto-read says (see
 * Connection), which is bounded by the kernel's TCP buffer, not by the relay.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackpressureIT {
  private static final int MIB = 1024 * 1024;
  /**
   * The high-water mark plus the few reads that can arrive before a pause takes effect (up to
   * 64 KiB each), with TLS framing: a hundredth of the transfer.
   */
  private static final long BUFFER_BOUND = 8L * Relay.WATER_MARK.high();

  private RelayFixture fixture;
  private final RecordingListener listener = new RecordingListener();

  @AfterEach
  void tearDown() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @ParameterizedTest
  @EnumSource(EventLoopGroups.Transport.class)
  void slowClientBoundsWhatTheRelayBuffersFromAFastBackend(EventLoopGroups.Transport transport) throws Exception {
    fixture = new RelayFixture(available(transport));
    long size = 64L * MIB;
    TcpBackend firehose = fixture.closeLater(TcpBackend.start(s -> {
      s.getInputStream().read(); // the client's go
      writePattern(s.getOutputStream(), size);
      s.getInputStream().transferTo(OutputStream.nullOutputStream()); // until the client closes
    }));
    Relay relay = fixture.startServer(serverSpec(firehose.address()).build(), Provider.best(), listener);

    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      client.getOutputStream().write('g');
      client.getOutputStream().flush();
      // Not reading yet: socket buffers fill up, then the relay must pause the backend.
      await().atMost(Duration.ofSeconds(60)).until(() -> relay.stats().backpressurePauses() > 0);

      readAndCheckPattern(client.getInputStream(), size);
    }
    RelayStats stats = relay.stats();
    assertThat(stats.bytesOut()).isEqualTo(size);
    assertThat(stats.peakBufferedBytes()).isPositive().isLessThan(BUFFER_BOUND);
  }

  @ParameterizedTest
  @EnumSource(EventLoopGroups.Transport.class)
  void slowBackendBoundsWhatTheRelayBuffersFromAFastClient(EventLoopGroups.Transport transport) throws Exception {
    fixture = new RelayFixture(available(transport));
    long size = 32L * MIB;
    CountDownLatch startReading = new CountDownLatch(1);
    CompletableFuture<Long> received = new CompletableFuture<>();
    TcpBackend sink = fixture.closeLater(TcpBackend.start(s -> {
      try {
        if (!startReading.await(60, TimeUnit.SECONDS)) {
          throw new java.io.IOException("never told to read");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      readAndCheckPattern(s.getInputStream(), size);
      received.complete(size);
      s.getOutputStream().write('k');
    }));
    Relay relay = fixture.startServer(serverSpec(sink.address()).build(), Provider.best(), listener);

    try (SSLSocket client = TlsClient.connect(relay.localAddress().getPort(), CA, CLIENT1, "service1")) {
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          writePattern(client.getOutputStream(), size);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      await().atMost(Duration.ofSeconds(60)).until(() -> relay.stats().backpressurePauses() > 0);
      startReading.countDown();

      assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(size);
      sending.get(60, TimeUnit.SECONDS);
      assertThat(client.getInputStream().read()).isEqualTo('k');
    }
    assertThat(relay.stats().peakBufferedBytes()).isPositive().isLessThan(BUFFER_BOUND);
  }

  /** Writes {@code size} bytes of a position-dependent pattern, so lost or reordered bytes show. */
  static void writePattern(OutputStream out, long size) throws java.io.IOException {
    byte[] chunk = new byte[64 * 1024];
    for (long written = 0; written < size; written += chunk.length) {
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (byte) ((written + i) * 31 >>> 3);
      }
      out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
    }
    out.flush();
  }

  /** Reads exactly {@code size} bytes and checks they are the pattern. */
  static void readAndCheckPattern(InputStream in, long size) throws java.io.IOException {
    byte[] buf = new byte[64 * 1024];
    long position = 0;
    while (position < size) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, size - position));
      if (n < 0) {
        throw new AssertionError("stream ended after " + position + " of " + size + " bytes");
      }
      for (int i = 0; i < n; i++) {
        if (buf[i] != (byte) ((position + i) * 31 >>> 3)) {
          throw new AssertionError("byte " + (position + i) + " is wrong");
        }
      }
      position += n;
    }
  }

  private static EventLoopGroups.Transport available(EventLoopGroups.Transport transport) {
    org.junit.jupiter.api.Assumptions.assumeTrue(transport == EventLoopGroups.Transport.NIO
        || io.netty.channel.epoll.Epoll.isAvailable(), "epoll is not available here");
    return transport;
  }
}
