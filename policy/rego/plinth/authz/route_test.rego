package plinth.authz_test

import data.plinth.authz

ctx(tenant, caller_roles) := {"tenant_id": tenant, "env": "dev", "user_id": "u_x", "roles": caller_roles}

# The seed's role table (tenants/t_system.defaults.roles).
roles := {
	"owner": {"data_plane": ["read", "write"], "admin_plane": ["read", "write"], "manages_owners": true},
	"admin": {"data_plane": ["read", "write"], "admin_plane": ["read", "write"], "manages_owners": false},
	"member": {"data_plane": ["read", "write"], "admin_plane": ["read"], "manages_owners": false},
	"viewer": {"data_plane": ["read"], "admin_plane": ["read"], "manages_owners": false},
}

decide(req) := d if {
	d := authz.route with input as req with data.plinth.defaults.roles as roles
}

data_route(caller_roles, action) := {
	"context": ctx("t_acme", caller_roles),
	"route": {"admin": false, "kind": null, "action": action, "method": "POST"},
	"target": {}, "body": {},
}

member_write(caller_roles, method, existing, active_owners, body) := {
	"context": ctx("t_acme", caller_roles),
	"route": {"admin": true, "kind": "members", "action": "write", "method": method},
	"target": {"tenant_id": "t_acme", "id": "u_o", "membership": existing, "active_owners": active_owners},
	"body": body,
}

owner_membership := {"roles": ["owner"], "status": "active"}

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
		} with data.plinth.defaults.roles as roles
		d.allow
	}
}

test_tenant_owner_manages_members_projects_subscriptions_of_own_tenant if {
	every kind in tenant_kinds {
		d := authz.route with input as admin_route(kind, "write", "t_acme") with data.plinth.defaults.roles as roles
		d.allow
	}
}

tenant_kinds := ["members", "projects", "subscriptions"]

test_tenant_owner_cannot_manage_global_kinds if {
	every kind in ["users", "apps", "modes", "surfaces", "identity_providers"] {
		d := authz.route with input as json.patch(admin_route(kind, "write", "t_acme"), [{"op": "replace", "path": "/target", "value": {}}]) with data.plinth.defaults.roles as roles
		d.status == 403
		d.code == "FORBIDDEN"
	}
}

test_tenant_owner_on_another_tenant_is_context_mismatch if {
	d := authz.route with input as admin_route("members", "write", "t_other") with data.plinth.defaults.roles as roles
	d.status == 403
	d.code == "CONTEXT_MISMATCH"
}

test_plain_member_cannot_manage_members if {
	d := authz.route with input as json.patch(admin_route("members", "write", "t_acme"), [{"op": "replace", "path": "/context/roles", "value": ["member"]}]) with data.plinth.defaults.roles as roles
	d.code == "FORBIDDEN"
}

test_member_reads_own_tenant if {
	d := authz.route with input as json.patch(admin_route("tenants", "read", "t_acme"), [{"op": "replace", "path": "/context/roles", "value": ["viewer"]}]) with data.plinth.defaults.roles as roles
	d.allow
}

test_body_tenant_mismatch_is_403_even_for_system_admin if {
	d := authz.route with input as {
		"context": ctx("t_system", ["admin"]),
		"route": {"admin": true, "kind": "members", "action": "write"},
		"target": {"tenant_id": "t_acme"}, "body": {"tenant_id": "t_other"},
	} with data.plinth.defaults.roles as roles
	d.code == "CONTEXT_MISMATCH"
}

test_body_env_mismatch_is_403 if {
	d := authz.route with input as {"context": ctx("t_acme", []), "route": {"admin": false}, "target": {}, "body": {"env": "prod"}} with data.plinth.defaults.roles as roles
	d.code == "CONTEXT_MISMATCH"
}

test_body_tenant_mismatch_on_plain_route_is_403 if {
	d := authz.route with input as {"context": ctx("t_acme", []), "route": {"admin": false}, "target": {}, "body": {"tenant_id": "t_other"}} with data.plinth.defaults.roles as roles
	d.code == "CONTEXT_MISMATCH"
}

test_plain_route_with_matching_body_is_allowed if {
	d := authz.route with input as {"context": ctx("t_acme", ["member"]), "route": {"admin": false, "action": "write"}, "target": {}, "body": {"tenant_id": "t_acme", "env": "dev"}} with data.plinth.defaults.roles as roles
	d.allow
}

test_system_admin_body_tenant_must_match_header_on_global_routes if {
	d := authz.route with input as {
		"context": ctx("t_system", ["admin"]),
		"route": {"admin": true, "kind": "users", "action": "write"},
		"target": {}, "body": {"tenant_id": "t_other"},
	} with data.plinth.defaults.roles as roles
	d.code == "CONTEXT_MISMATCH"
}

test_viewer_reads_but_never_writes_the_data_plane if {
	decide(data_route(["viewer"], "read")).allow
	d := decide(data_route(["viewer"], "write"))
	d.status == 403
	d.code == "FORBIDDEN"
	contains(d.reason, "viewer")
}

test_members_admins_and_owners_write_the_data_plane if {
	every r in ["member", "admin", "owner"] {
		decide(data_route([r], "write")).allow
	}
}

test_a_role_not_in_the_table_allows_nothing if {
	not decide(data_route(["guest"], "read")).allow
}

test_the_role_table_is_data if {
	d := authz.route with input as data_route(["viewer"], "write")
		with data.plinth.defaults.roles as {"viewer": {"data_plane": ["read", "write"]}}
	d.allow
}

test_an_admin_cannot_demote_or_remove_an_owner if {
	every method in ["PUT", "DELETE"] {
		d := decide(member_write(["admin"], method, owner_membership, 2, {"roles": ["member"]}))
		d.status == 403
		contains(d.reason, "only an owner")
	}
}

test_an_admin_cannot_grant_the_owner_role if {
	d := decide(member_write(["admin"], "POST", null, 1, {"roles": ["owner"]}))
	d.status == 403
}

test_an_admin_manages_non_owners if {
	decide(member_write(["admin"], "PUT", {"roles": ["member"], "status": "active"}, 1, {"roles": ["viewer"]})).allow
}

test_an_owner_demotes_an_owner_while_another_remains if {
	decide(member_write(["owner"], "PUT", owner_membership, 2, {"roles": ["admin"]})).allow
}

test_the_last_owner_stays if {
	every change in [["PUT", {"roles": ["admin"]}], ["DELETE", {}], ["PUT", {"roles": ["owner"], "status": "suspended"}]] {
		d := decide(member_write(["owner"], change[0], owner_membership, 1, change[1]))
		d.status == 409
		d.code == "LAST_OWNER"
	}
	decide(member_write(["owner"], "PUT", owner_membership, 1, {"roles": ["owner", "admin"]})).allow
}

test_owner_rules_wait_for_the_body if {
	pending := json.patch(member_write(["owner"], "PUT", owner_membership, 1, {}), [{"op": "add", "path": "/body_pending", "value": true}])
	decide(pending).allow
	pending_viewer := json.patch(data_route(["viewer"], "write"), [{"op": "add", "path": "/body_pending", "value": true}])
	not decide(pending_viewer).allow
}
