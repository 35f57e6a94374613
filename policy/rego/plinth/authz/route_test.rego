package plinth.authz_test

import data.plinth.authz

ctx(tenant, roles) := {"tenant_id": tenant, "env": "dev", "user_id": "u_x", "roles": roles}

admin_route(kind, action, tenant) := {
	"context": ctx("t_acme", ["owner"]),
	"route": {"admin": true, "kind": kind, "action": action},
	"target": {"tenant_id": tenant},
	"body": {},
}

test_system_admin_manages_any_tenant if {
	every kind in ["tenants", "users", "members", "apps", "modes"] {
		d := authz.route with input as {
			"context": ctx("t_system", ["admin"]),
			"route": {"admin": true, "kind": kind, "action": "write"},
			"target": {"tenant_id": "t_acme"}, "body": {},
		}
		d.allow
	}
}

test_tenant_owner_manages_members_projects_subscriptions_of_own_tenant if {
	every kind in tenant_kinds {
		d := authz.route with input as admin_route(kind, "write", "t_acme")
		d.allow
	}
}

tenant_kinds := ["members", "projects", "subscriptions"]

test_tenant_owner_cannot_manage_global_kinds if {
	every kind in ["users", "apps", "modes", "surfaces", "identity_providers"] {
		d := authz.route with input as json.patch(admin_route(kind, "write", "t_acme"), [{"op": "replace", "path": "/target", "value": {}}])
		d.status == 403
		d.code == "FORBIDDEN"
	}
}

test_tenant_owner_on_another_tenant_is_context_mismatch if {
	d := authz.route with input as admin_route("members", "write", "t_other")
	d.status == 403
	d.code == "CONTEXT_MISMATCH"
}

test_plain_member_cannot_manage_members if {
	d := authz.route with input as json.patch(admin_route("members", "write", "t_acme"), [{"op": "replace", "path": "/context/roles", "value": ["member"]}])
	d.code == "FORBIDDEN"
}

test_member_reads_own_tenant if {
	d := authz.route with input as json.patch(admin_route("tenants", "read", "t_acme"), [{"op": "replace", "path": "/context/roles", "value": ["viewer"]}])
	d.allow
}

test_body_tenant_mismatch_is_403_even_for_system_admin if {
	d := authz.route with input as {
		"context": ctx("t_system", ["admin"]),
		"route": {"admin": true, "kind": "members", "action": "write"},
		"target": {"tenant_id": "t_acme"}, "body": {"tenant_id": "t_other"},
	}
	d.code == "CONTEXT_MISMATCH"
}

test_body_env_mismatch_is_403 if {
	d := authz.route with input as {"context": ctx("t_acme", []), "route": {"admin": false}, "target": {}, "body": {"env": "prod"}}
	d.code == "CONTEXT_MISMATCH"
}

test_body_tenant_mismatch_on_plain_route_is_403 if {
	d := authz.route with input as {"context": ctx("t_acme", []), "route": {"admin": false}, "target": {}, "body": {"tenant_id": "t_other"}}
	d.code == "CONTEXT_MISMATCH"
}

test_plain_route_with_matching_body_is_allowed if {
	d := authz.route with input as {"context": ctx("t_acme", []), "route": {"admin": false}, "target": {}, "body": {"tenant_id": "t_acme", "env": "dev"}}
	d.allow
}

test_system_admin_body_tenant_must_match_header_on_global_routes if {
	d := authz.route with input as {
		"context": ctx("t_system", ["admin"]),
		"route": {"admin": true, "kind": "users", "action": "write"},
		"target": {}, "body": {"tenant_id": "t_other"},
	}
	d.code == "CONTEXT_MISMATCH"
}
