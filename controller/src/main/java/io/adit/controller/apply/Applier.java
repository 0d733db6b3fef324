package io.adit.controller.apply;

import io.adit.api.v1.ApplyAction;
import io.adit.api.v1.ApplyObject;
import io.adit.api.v1.ApplyResponse;
import io.adit.api.v1.ApplyResult;
import io.adit.api.v1.AuditEvent;
import io.adit.api.v1.RelayChange;
import io.adit.api.v1.ServiceSpec;
import io.adit.common.proto.Timestamps;
import io.adit.common.spec.RelayChanges;
import io.adit.common.store.KeyLayout;
import io.adit.common.validation.InvalidInputException;
import io.adit.common.validation.Names;
import io.adit.controller.audit.AuditingKv;
import io.adit.controller.errors.ConflictException;
import io.adit.controller.store.Kv;
import io.adit.controller.store.Records;
import io.adit.controller.store.Txn;
import io.adit.controller.tunnel.ServiceSpecs;
import io.adit.store.v1.IdentityRecord;
import io.adit.store.v1.ServiceRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code aditctl apply} and {@code diff}: services and client identities declared in files,
 * created or updated together. Everything is read first, every object is validated against
 * the file and the store, and then the changes are written in one transaction that compares
 * every key with the revision read (or its absence): all of it or none, and a conflict when
 * anything changed in between. Each object is audited as its own {@code service.create},
 * {@code service.update} or {@code identity.create} record, in the same transaction.
 *
 * <p>etcd caps the operations of one transaction ({@code --max-txn-ops}, 128 by default); each
 * object takes two (its write and its audit record), so a larger apply goes in atomic batches,
 * identities first and a service after the service its {@code to} names, and says so.
 */
public final class Applier {
  /** etcd's default {@code --max-txn-ops}. */
  public static final int ETCD_MAX_TXN_OPS = 128;
  /** Operations per object: the write and its audit record (the compare is counted apart by etcd). */
  private static final int OPS_PER_OBJECT = 2;

  private final Kv kv;
  private final Clock clock;
  private final int batchSize;

  public Applier(Kv kv, Clock clock) {
    this(kv, clock, ETCD_MAX_TXN_OPS / OPS_PER_OBJECT);
  }

  Applier(Kv kv, Clock clock, int batchSize) {
    this.kv = kv;
    this.clock = clock;
    this.batchSize = batchSize;
  }

  /** One object as read: what was declared, what is stored (null: absent) and the plan for it. */
  private static final class Planned {
    final ApplyObject object;
    final String kind;
    final String name;
    final String key;
    final Kv.Entry current;
    ServiceSpec spec;
    ApplyResult.Builder result;

    Planned(ApplyObject object, String kind, String name, String key, Kv.Entry current) {
      this.object = object;
      this.kind = kind;
      this.name = name;
      this.key = key;
      this.current = current;
    }

    String where() {
      return (object.getSource().isEmpty() ? "" : object.getSource() + ": ") + kind + " '" + name + "'";
    }

    boolean changes() {
      return result.getAction() != ApplyAction.APPLY_ACTION_UNCHANGED;
    }
  }

  public ApplyResponse apply(List<ApplyObject> objects, boolean dryRun, String caller) {
    Map<String, Kv.Entry> services = byName(kv.list(KeyLayout.SERVICES));
    Map<String, Kv.Entry> identities = byName(kv.list(KeyLayout.IDENTITIES));
    Set<String> joined = joinedNodes(kv.list(KeyLayout.NODES));

    List<Planned> plan = read(objects, services, identities);
    Map<String, ServiceSpec> after = new HashMap<>();
    services.forEach((name, e) -> after.put(name, Records.parse(ServiceRecord.parser(), e).getSpec()));
    for (Planned p : plan) {
      if (p.spec != null) {
        after.put(p.name, p.spec);
      }
    }
    Set<String> declaredIdentities = new TreeSet<>(identities.keySet());
    plan.stream().filter(p -> p.spec == null).forEach(p -> declaredIdentities.add(p.name));
    for (Planned p : plan) {
      p.result = p.spec == null ? identityResult(p) : serviceResult(p, after, declaredIdentities, joined);
    }
    addTargetRestarts(plan, after, joined);

    ApplyResponse.Builder response = ApplyResponse.newBuilder().setBatchSize(batchSize);
    if (!dryRun) {
      write(plan, caller, response);
    }
    plan.forEach(p -> response.addResults(p.result));
    return response.build();
  }

  private List<Planned> read(List<ApplyObject> objects, Map<String, Kv.Entry> services, Map<String, Kv.Entry> identities) {
    List<Planned> plan = new ArrayList<>();
    Map<String, Planned> seen = new HashMap<>();
    for (ApplyObject o : objects) {
      Planned p = switch (o.getObjectCase()) {
        case SERVICE -> new Planned(o, "Service", o.getService().getName(), KeyLayout.service(o.getService().getName()),
            services.get(o.getService().getName()));
        case IDENTITY -> new Planned(o, "Identity", o.getIdentity().getName(), KeyLayout.identity(o.getIdentity().getName()),
            identities.get(o.getIdentity().getName()));
        default -> throw new InvalidInputException((o.getSource().isEmpty() ? "" : o.getSource() + ": ")
            + "an object is neither a Service nor an Identity");
      };
      try {
        Names.requireDnsLabel(p.kind.toLowerCase(java.util.Locale.ROOT) + " name", p.name);
        if (o.hasService()) {
          p.spec = ServiceSpecs.normalize(o.getService());
        }
      } catch (InvalidInputException e) {
        throw new InvalidInputException(p.where() + ": " + e.getMessage());
      }
      Planned twice = seen.put(p.kind + "/" + p.name, p);
      if (twice != null) {
        throw new InvalidInputException(p.where() + " is declared twice (also at "
            + (twice.object.getSource().isEmpty() ? "an earlier object" : twice.object.getSource()) + "): keep one");
      }
      plan.add(p);
    }
    for (Planned p : plan) {
      if (p.spec != null && !p.spec.getTo().isEmpty()
          && !services.containsKey(p.spec.getTo()) && !seen.containsKey("Service/" + p.spec.getTo())) {
        throw new InvalidInputException(p.where() + ": to names service '" + p.spec.getTo()
            + "', which neither exists nor is declared in the files");
      }
    }
    return plan;
  }

  private static ApplyResult.Builder identityResult(Planned p) {
    return ApplyResult.newBuilder().setKind(p.kind).setName(p.name).setSource(p.object.getSource())
        .setAction(p.current == null ? ApplyAction.APPLY_ACTION_CREATED : ApplyAction.APPLY_ACTION_UNCHANGED)
        .setVersion(p.current == null ? 0 : p.current.modRevision());
  }

  private ApplyResult.Builder serviceResult(Planned p, Map<String, ServiceSpec> after, Set<String> identities,
      Set<String> joined) {
    ApplyResult.Builder r = ApplyResult.newBuilder().setKind(p.kind).setName(p.name).setSource(p.object.getSource())
        .setAfter(p.spec).addAllWarnings(warnings(p.spec, identities, joined));
    if (p.current == null) {
      r.setAction(ApplyAction.APPLY_ACTION_CREATED);
      RelayChanges.of(null, p.spec, joined).forEach(c -> r.addRelays(relay(c)));
      return r;
    }
    ServiceSpec before = Records.parse(ServiceRecord.parser(), p.current).getSpec();
    List<String> fields = RelayChanges.changedFields(before, p.spec);
    r.setBefore(before).setVersion(p.current.modRevision()).addAllChangedFields(fields)
        .setAction(fields.isEmpty() ? ApplyAction.APPLY_ACTION_UNCHANGED : ApplyAction.APPLY_ACTION_UPDATED);
    RelayChanges.of(before, p.spec, joined).forEach(c -> r.addRelays(relay(c)));
    return r;
  }

  /**
   * A client-mode service connects to the nodes that run its {@code to}: when that target moves
   * (port or placement), each of its clients' relays restarts too, even if unchanged itself.
   */
  private static void addTargetRestarts(List<Planned> plan, Map<String, ServiceSpec> after, Set<String> joined) {
    Map<String, Planned> byService = new LinkedHashMap<>();
    plan.stream().filter(p -> p.spec != null).forEach(p -> byService.put(p.name, p));
    for (Planned target : byService.values()) {
      if (target.result.getAction() != ApplyAction.APPLY_ACTION_UPDATED
          || !RelayChanges.movesTarget(target.result.getChangedFieldsList())) {
        continue;
      }
      for (ServiceSpec client : after.values()) {
        if (!client.getTo().equals(target.name)) {
          continue;
        }
        for (String node : new TreeSet<>(joined)) {
          Planned declared = byService.get(client.getName());
          boolean already = declared != null && declared.result.getRelaysList().stream()
              .anyMatch(c -> c.getNode().equals(node));
          if (RelayChanges.placedOn(client, node) && !already) {
            RelayChange c = RelayChange.newBuilder().setNode(node).setService(client.getName()).setAction("restart")
                .setReason("changed target addresses (service " + target.name + " moved)").build();
            if (declared != null) {
              declared.result.addRelays(c);
            } else {
              target.result.addRelays(c);
            }
          }
        }
      }
    }
  }

  private static List<String> warnings(ServiceSpec spec, Set<String> identities, Set<String> joined) {
    List<String> out = new ArrayList<>(ServiceSpecs.warnings(spec));
    spec.getNodesList().stream().filter(n -> !joined.contains(n))
        .forEach(n -> out.add("node " + n + " has not joined yet: the service runs there once it does"));
    spec.getAllowList().stream().filter(a -> !identities.contains(a))
        .forEach(a -> out.add("allow " + a + ": no such identity (declare it, or create it with aditctl identity create " + a + ")"));
    if (!spec.getIdentity().isEmpty() && !identities.contains(spec.getIdentity())) {
      out.add("identity " + spec.getIdentity() + ": no such identity (declare it, or create it with aditctl identity create "
          + spec.getIdentity() + ")");
    }
    return out;
  }

  private void write(List<Planned> plan, String caller, ApplyResponse.Builder response) {
    List<Planned> changes = Order.byDependency(plan.stream().filter(Planned::changes).toList(),
        p -> p.spec == null ? "" : p.spec.getTo(), p -> p.spec != null, p -> p.name);
    int batches = (changes.size() + batchSize - 1) / batchSize;
    for (int b = 0; b < batches; b++) {
      List<Planned> batch = changes.subList(b * batchSize, Math.min(changes.size(), (b + 1) * batchSize));
      Txn txn = Txn.create();
      Instant now = clock.instant();
      for (Planned p : batch) {
        if (p.current == null) {
          txn.ifAbsent(p.key);
        } else {
          txn.ifModRevision(p.key, p.current.modRevision());
        }
        txn.put(p.key, record(p, now, caller));
        AuditingKv.record(txn, AuditEvent.newBuilder().setTime(Timestamps.of(now)).setActor(caller)
            .setAction((p.spec == null ? "identity." : "service.") + (p.current == null ? "create" : "update"))
            .setTarget(p.name)
            .setDetail("apply" + (p.result.getChangedFieldsCount() == 0 ? ""
                : ": " + RelayChanges.describe(p.result.getChangedFieldsList())))
            .build());
      }
      if (b == 0) {
        // The objects declared unchanged are compared too, as far as etcd's limit allows: the
        // whole file then applies against what was read (a `to` target deleted meanwhile, say).
        int room = ETCD_MAX_TXN_OPS - batch.size();
        plan.stream().filter(p -> !p.changes()).limit(Math.max(0, room)).forEach(p -> {
          if (p.current == null) {
            txn.ifAbsent(p.key);
          } else {
            txn.ifModRevision(p.key, p.current.modRevision());
          }
        });
      }
      if (!kv.commit(txn)) {
        throw new ConflictException(conflict(plan, b, batches));
      }
      for (Planned p : batch) {
        p.result.setBatch(b + 1);
      }
    }
    response.setBatches(batches);
    if (batches > 0) {
      Map<String, Kv.Entry> services = byName(kv.list(KeyLayout.SERVICES));
      Map<String, Kv.Entry> identities = byName(kv.list(KeyLayout.IDENTITIES));
      for (Planned p : changes) {
        Kv.Entry e = (p.spec == null ? identities : services).get(p.name);
        if (e != null) {
          p.result.setVersion(e.modRevision());
        }
      }
    }
  }

  private byte[] record(Planned p, Instant now, String caller) {
    if (p.spec == null) {
      return IdentityRecord.newBuilder().setName(p.name).setCreateTime(Timestamps.of(now)).setCreatedBy(caller)
          .build().toByteArray();
    }
    ServiceRecord.Builder r = p.current == null
        ? ServiceRecord.newBuilder().setCreateTime(Timestamps.of(now))
        : Records.parse(ServiceRecord.parser(), p.current).toBuilder();
    return r.setSpec(p.spec).setUpdateTime(Timestamps.of(now)).setUpdatedBy(caller).build().toByteArray();
  }

  /** Names what changed since it was read, read again. */
  private String conflict(List<Planned> plan, int b, int batches) {
    Map<String, Kv.Entry> services = byName(kv.list(KeyLayout.SERVICES));
    Map<String, Kv.Entry> identities = byName(kv.list(KeyLayout.IDENTITIES));
    String which = plan.stream().filter(p -> {
      Kv.Entry now = (p.spec == null ? identities : services).get(p.name);
      return now == null ? p.current != null : p.current == null || now.modRevision() != p.current.modRevision();
    }).map(p -> p.kind + " '" + p.name + "'").findFirst().orElse("an object in the files");
    String scope = b == 0 ? "nothing was written"
        : "batches 1 to " + b + " of " + batches + " were applied and the rest were not";
    return which + " changed since it was read, so " + scope + ": run apply again";
  }

  private static RelayChange relay(RelayChanges.Change c) {
    return RelayChange.newBuilder().setNode(c.node()).setService(c.service()).setAction(c.action()).setReason(c.reason()).build();
  }

  private static Map<String, Kv.Entry> byName(Kv.Listing listing) {
    Map<String, Kv.Entry> out = new HashMap<>();
    listing.entries().forEach(e -> out.put(KeyLayout.lastSegment(e.key()), e));
    return out;
  }

  private static Set<String> joinedNodes(Kv.Listing listing) {
    Set<String> out = new TreeSet<>();
    for (Kv.Entry e : listing.entries()) {
      String[] parts = KeyLayout.splitNodeKey(e.key());
      if (parts != null && parts[1].equals("info")) {
        out.add(parts[0]);
      }
    }
    return out;
  }
}
