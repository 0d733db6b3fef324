package io.adit.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.adit.api.v1.AuditServiceGrpc;
import io.adit.api.v1.CertificateServiceGrpc;
import io.adit.api.v1.IdentityServiceGrpc;
import io.adit.api.v1.NodeServiceGrpc;
import io.adit.api.v1.TunnelServiceGrpc;
import io.adit.common.pki.SpiffeId.Kind;
import io.grpc.ServiceDescriptor;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  private final AccessPolicy policy = AccessPolicy.standard();

  @Test
  void coversEveryRpcOfTheApi() {
    Set<String> all = new HashSet<>();
    for (ServiceDescriptor d : new ServiceDescriptor[] {TunnelServiceGrpc.getServiceDescriptor(),
        IdentityServiceGrpc.getServiceDescriptor(), CertificateServiceGrpc.getServiceDescriptor(),
        NodeServiceGrpc.getServiceDescriptor(), AuditServiceGrpc.getServiceDescriptor()}) {
      d.getMethods().forEach(m -> all.add(m.getFullMethodName()));
    }
    assertThat(policy.methods()).isEqualTo(all);
  }

  @Test
  void clientIdentitiesAndControllersHaveNoApiAccess() {
    for (String m : policy.methods()) {
      assertThat(policy.permits(m, Kind.CLIENT)).as(m).isFalse();
      assertThat(policy.permits(m, Kind.SERVICE)).as(m).isFalse();
    }
  }

  @Test
  void onlyJoinIsOpenWithoutACertificate() {
    assertThat(policy.methods().stream().filter(policy::isOpen))
        .containsExactly(NodeServiceGrpc.getJoinMethod().getFullMethodName());
  }

  @Test
  void nodesMayReadSpecsAndGetCertificatesButNotWrite() {
    assertThat(policy.permits(TunnelServiceGrpc.getListServicesMethod().getFullMethodName(), Kind.NODE)).isTrue();
    assertThat(policy.permits(CertificateServiceGrpc.getSignCertificateMethod().getFullMethodName(), Kind.NODE)).isTrue();
    assertThat(policy.permits(TunnelServiceGrpc.getCreateServiceMethod().getFullMethodName(), Kind.NODE)).isFalse();
    assertThat(policy.permits(NodeServiceGrpc.getCreateJoinTokenMethod().getFullMethodName(), Kind.NODE)).isFalse();
    assertThat(policy.permits(IdentityServiceGrpc.getListIdentitiesMethod().getFullMethodName(), Kind.NODE)).isFalse();
  }
}
