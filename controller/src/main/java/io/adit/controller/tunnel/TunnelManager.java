package io.adit.controller.tunnel;

import io.adit.api.v1.NodeServiceStatus;
import io.adit.api.v1.Service;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.proto.Timestamps;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.Durations;
import io.adit.common.validation.InvalidInputException;
import io.adit.controller.errors.AlreadyExistsException;
import io.adit.controller.errors.ConflictException;
import io.adit.controller.errors.NotFoundException;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import io.adit.controller.store.Txn;
import io.adit.store.v1.ServiceRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Services (tunnel specs) in etcd. Every write is a compare-and-swap: create only if absent,
 * update and delete only at the revision the caller read (when given), so concurrent edits
 * fail with a conflict instead of silently overwriting each other.
 */
public final class TunnelManager {
  private final Kv kv;
  private final Clock clock;
  private final Duration maxTtl;

  public TunnelManager(Kv kv, Clock clock, Duration maxTtl) {
    this.kv = kv;
    this.clock = clock;
    this.maxTtl = maxTtl;
  }

  public Service create(ServiceSpec requested, boolean dryRun, String caller) {
    ServiceSpec spec = ServiceSpecs.normalize(requested);
    checkReferences(spec);
    String key = KeyLayout.service(spec.getName());
    ServiceRecord record = ServiceRecord.newBuilder()
        .setSpec(spec)
        .setCreateTime(Timestamps.of(clock.instant()))
        .setUpdateTime(Timestamps.of(clock.instant()))
        .setUpdatedBy(caller)
        .build();
    if (dryRun) {
      if (kv.get(key).isPresent()) {
        throw alreadyExists(spec.getName());
      }
      return view(record, 0, List.of());
    }
    if (!kv.commit(Txn.create().ifAbsent(key).put(key, record.toByteArray()))) {
      throw alreadyExists(spec.getName());
    }
    return get(spec.getName());
  }

  public Service update(ServiceSpec requested, long expectedVersion, boolean dryRun, String caller) {
    ServiceSpec spec = ServiceSpecs.normalize(requested);
    Kv.Entry current = kv.get(KeyLayout.service(spec.getName())).orElseThrow(() -> notFound(spec.getName()));
    if (expectedVersion != 0 && expectedVersion != current.modRevision()) {
      throw changed(spec.getName());
    }
    checkReferences(spec);
    ServiceRecord old = Records.parse(ServiceRecord.parser(), current);
    ServiceRecord record = old.toBuilder()
        .setSpec(spec)
        .setUpdateTime(Timestamps.of(clock.instant()))
        .setUpdatedBy(caller)
        .build();
    if (dryRun) {
      return view(record, current.modRevision(), List.of());
    }
    if (old.getSpec().equals(spec)) {
      return get(spec.getName());
    }
    if (!kv.commit(Txn.create().ifModRevision(current.key(), current.modRevision()).put(current.key(), record.toByteArray()))) {
      throw changed(spec.getName());
    }
    return get(spec.getName());
  }

  public Service get(String name) {
    Kv.Entry e = kv.get(KeyLayout.service(name)).orElseThrow(() -> notFound(name));
    ServiceRecord record = Records.parse(ServiceRecord.parser(), e);
    return view(record, e.modRevision(), nodeStatus(record.getSpec()));
  }

  public List<Service> list() {
    List<Service> out = new ArrayList<>();
    // Two reads whatever the size: the services, and the nodes prefix (who joined, who is
    // present, what each reports). Warnings that need more reads are left to get.
    PlacedStatus status = PlacedStatus.ofListing(kv.list(KeyLayout.NODES).entries());
    for (Kv.Entry e : kv.list(KeyLayout.SERVICES).entries()) {
      ServiceRecord record = Records.parse(ServiceRecord.parser(), e);
      out.add(bare(record, e.modRevision())
          .addAllNodeStatus(status.of(record.getSpec()))
          .addAllWarnings(ServiceSpecs.warnings(record.getSpec())).build());
    }
    return out;
  }

  public Service delete(String name, long expectedVersion, boolean dryRun) {
    Kv.Entry current = kv.get(KeyLayout.service(name)).orElseThrow(() -> notFound(name));
    if (expectedVersion != 0 && expectedVersion != current.modRevision()) {
      throw changed(name);
    }
    Service before = view(Records.parse(ServiceRecord.parser(), current), current.modRevision(), List.of());
    if (!dryRun && !kv.commit(Txn.create().ifModRevision(current.key(), current.modRevision()).delete(current.key()))) {
      throw changed(name);
    }
    return before;
  }

  public Optional<ServiceSpec> find(String name) {
    return kv.get(KeyLayout.service(name)).map(e -> Records.parse(ServiceRecord.parser(), e).getSpec());
  }

  private void checkReferences(ServiceSpec spec) {
    if (!spec.getTo().isEmpty() && kv.get(KeyLayout.service(spec.getTo())).isEmpty()) {
      throw new InvalidInputException("--to names service '" + spec.getTo() + "', which does not exist: create it first");
    }
  }

  private static Service.Builder bare(ServiceRecord record, long version) {
    return Service.newBuilder()
        .setSpec(record.getSpec())
        .setVersion(version)
        .setCreateTime(record.getCreateTime())
        .setUpdateTime(record.getUpdateTime())
        .setUpdatedBy(record.getUpdatedBy());
  }

  /** The service with its node status and every warning (reads one key per node and identity named). */
  private Service view(ServiceRecord record, long version, List<NodeServiceStatus> status) {
    ServiceSpec spec = record.getSpec();
    Service.Builder b = bare(record, version)
        .addAllNodeStatus(status)
        .addAllWarnings(ServiceSpecs.warnings(spec));
    for (String node : spec.getNodesList()) {
      if (kv.get(KeyLayout.nodeInfo(node)).isEmpty()) {
        b.addWarnings("node " + node + " has not joined yet: the service runs there once it does");
      }
    }
    for (String identity : spec.getAllowList()) {
      if (kv.get(KeyLayout.identity(identity)).isEmpty()) {
        b.addWarnings("--allow " + identity + ": no such identity yet (create it with aditctl identity create " + identity + ")");
      }
    }
    if (!spec.getIdentity().isEmpty() && kv.get(KeyLayout.identity(spec.getIdentity())).isEmpty()) {
      b.addWarnings("--identity " + spec.getIdentity() + ": no such identity yet (create it with aditctl identity create "
          + spec.getIdentity() + ")");
    }
    if (spec.getCertTtlSeconds() > maxTtl.toSeconds()) {
      b.addWarnings("--cert-ttl " + Durations.format(Duration.ofSeconds(spec.getCertTtlSeconds()))
          + " is above the controller's --max-ttl; certificates get " + Durations.format(maxTtl));
    }
    return b.build();
  }

  private List<NodeServiceStatus> nodeStatus(ServiceSpec spec) {
    // Placement names the nodes: read just their keys, not the whole fleet.
    PlacedStatus status = spec.getAllNodes()
        ? PlacedStatus.ofListing(kv.list(KeyLayout.NODES).entries())
        : PlacedStatus.ofNodes(kv, spec.getName(), spec.getNodesList());
    return status.of(spec);
  }

  private static NotFoundException notFound(String name) {
    return new NotFoundException("service '" + name + "' does not exist (aditctl service list shows the services)");
  }

  private static AlreadyExistsException alreadyExists(String name) {
    return new AlreadyExistsException("service '" + name + "' already exists: change it with aditctl service update " + name);
  }

  private static ConflictException changed(String name) {
    return new ConflictException("service '" + name + "' changed since it was read: read it again and retry");
  }
}
