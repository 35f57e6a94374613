# plinth/authz/route: may this resolved context use this route with this request?
#
# Runs after plinth/authz/decision has resolved the context. Java passes what the route
# is and what the request names; this policy decides CONTEXT_MISMATCH, what each role may
# do, and who may change an owner.
#
# Input:
#   context:  the resolved RequestContext {tenant_id, env, user_id, roles, ...}
#   route:    {admin: bool, kind: string|null, action: "read"|"write", method: "GET"|"PUT"|...}
#   target:   {tenant_id?: the tenant the path names, id?: the resource id,
#              membership?: the membership the path names, as stored {roles, status},
#              active_owners?: how many active owners that membership's tenant has}
#   body:     {tenant_id?, env?, roles?, status?} when the request body carries them
#   body_pending: true when the body is not read yet (a first pass, so that a caller the
#             route refuses never makes the server read a large body); rules that depend on
#             the body or on the membership facts then wait for the second pass
# Data: data.plinth.defaults.roles, the role table (tenants/t_system.defaults.roles):
#   {role: {data_plane: [actions], admin_plane: [actions], manages_owners: bool}}
package plinth.authz

system_tenant := "t_system"

# Kinds a tenant's own managers manage.
tenant_managed_kinds := {"members", "projects", "subscriptions"}

default role_table := {}

role_table := data.plinth.defaults.roles

# Whether one of the caller's roles allows `action` on `plane` ("data_plane" or "admin_plane").
role_allows(plane, action) if {
	some role in input.context.roles
	action in object.get(role_table, [role, plane], [])
}

manages_owners if {
	some role in input.context.roles
	object.get(role_table, [role, "manages_owners"], false) == true
}

default route := {"allow": false, "status": 403, "code": "FORBIDDEN", "reason": "not allowed"}

route := deny(403, "CONTEXT_MISMATCH", mismatch_reason) if {
	mismatch_reason
} else := deny(403, "FORBIDDEN", concat("", [
	"roles ", roles_text, " of ", input.context.user_id, " may not ", input.route.action,
	" on the data plane of tenant ", input.context.tenant_id,
])) if {
	not input.route.admin
	not role_allows("data_plane", input.route.action)
} else := deny(403, "FORBIDDEN", owner_reason) if {
	input.route.admin
	owner_reason
} else := deny(409, "LAST_OWNER", last_owner_reason) if {
	input.route.admin
	last_owner_reason
} else := {"allow": true, "status": 200, "code": "OK", "reason": admin_grant} if {
	input.route.admin
	admin_grant
} else := deny(403, "FORBIDDEN", concat("", [
	"user ", input.context.user_id, " may not ", input.route.action, " ", input.route.kind,
	" in tenant ", object.get(input.target, "tenant_id", input.context.tenant_id),
])) if {
	input.route.admin
} else := {"allow": true, "status": 200, "code": "OK", "reason": concat("", ["roles ", roles_text, " allow ", input.route.action])}

roles_text := concat(",", sort(input.context.roles)) if count(input.context.roles) > 0 else := "(none)"

is_system_admin if {
	input.context.tenant_id == system_tenant
	role_allows("admin_plane", "write")
}

is_tenant_manager if role_allows("admin_plane", "write")

# The tenant a request acts on: the one its path names, else the caller's own.
acting_tenant := input.target.tenant_id if is_string(input.target.tenant_id) else := input.context.tenant_id

# A body must agree with the tenant the request acts on and with the headers' env; a path
# may name another tenant than X-Tenant-Id only for t_system admins, who administer every
# tenant from the control-plane tenant.
mismatch_reason := concat("", ["body tenant_id ", input.body.tenant_id, " differs from the tenant the request acts on, ", acting_tenant]) if {
	is_string(input.body.tenant_id)
	input.body.tenant_id != acting_tenant
} else := concat("", ["body env ", input.body.env, " differs from X-Env ", input.context.env]) if {
	is_string(input.body.env)
	input.body.env != input.context.env
} else := concat("", ["path tenant ", input.target.tenant_id, " differs from X-Tenant-Id ", input.context.tenant_id]) if {
	not is_system_admin
	is_string(input.target.tenant_id)
	input.target.tenant_id != input.context.tenant_id
}

admin_grant := "t_system admin" if {
	is_system_admin
} else := concat("", ["manager of ", input.context.tenant_id]) if {
	is_tenant_manager
	input.route.kind in tenant_managed_kinds
	input.target.tenant_id == input.context.tenant_id
} else := "members read their own tenant" if {
	input.route.kind == "tenants"
	input.route.action == "read"
	input.target.tenant_id == input.context.tenant_id
}

# --- Owners: nobody but an owner grants, changes or removes the owner role; the last owner stays.

membership_write if {
	input.route.kind == "members"
	input.route.action == "write"
	not input.body_pending
}

existing_owner if "owner" in object.get(input.target, ["membership", "roles"], [])

grants_owner if "owner" in object.get(input.body, "roles", [])

# Whether the write leaves the membership without an active owner role.
removes_owner if input.route.method == "DELETE"

removes_owner if {
	input.route.method == "PUT"
	not grants_owner
}

removes_owner if {
	input.route.method == "PUT"
	object.get(input.body, "status", "active") != "active"
}

owner_reason := concat("", ["only an owner may change the membership of owner ", input.target.id, " in ", acting_tenant]) if {
	membership_write
	existing_owner
	not manages_owners
} else := concat("", ["only an owner may grant the owner role (", object.get(input.target, "id", "?"), " in ", acting_tenant, ")"]) if {
	membership_write
	grants_owner
	not manages_owners
}

last_owner_reason := concat("", [input.target.id, " is the last active owner of ", acting_tenant, "; add another owner first"]) if {
	membership_write
	existing_owner
	object.get(input.target, ["membership", "status"], "active") == "active"
	removes_owner
	object.get(input.target, "active_owners", 0) <= 1
}
