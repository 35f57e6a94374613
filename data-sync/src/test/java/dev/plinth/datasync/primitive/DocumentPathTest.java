package dev.plinth.datasync.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tenant of a tenant-scoped document path, and the paths that are refused. */
class DocumentPathTest {

    @ParameterizedTest
    @ValueSource(strings = {"tenants/t_a/members/u_1", "tenants/t_a/projects/p-9", "tenants/t_a/x/y"})
    void aTenantScopedPathNamesItsTenant(String path) {
        assertThat(DocumentParser.tenantOf(path)).isEqualTo("t_a");
        assertThat(DocumentParser.idOf(path)).isEqualTo(path.substring(path.lastIndexOf('/') + 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"members/u_1", "tenants/t_a", "tenants/t_a/members", "tenants/t_a/members/",
            "tenants//members/u_1", "tenants/t_a//u_1", "tenants/t_a/members/u_1/more/x", "elsewhere/t_a/members/u_1",
            "tenantsX/t_a/members/u_1"})
    void anyOtherShapeIsRefused(String path) {
        assertThatThrownBy(() -> DocumentParser.tenantOf(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(path);
    }
}
