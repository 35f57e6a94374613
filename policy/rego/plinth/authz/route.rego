# plinth/authz/route: may this resolved context use this route with this request?
#
# Runs after plinth/authz/decision has resolved the context. Java passes what the route
# is and what the request names; this policy decides CONTEXT_MISMATCH and admin rights.
#
# Input:
#   context:  the resolved RequestContext {tenant_id, env, user_id, roles, ...}
#   route:    {admin: bool, kind: string|null, action: "read"|"write"}
#   target:   {tenant_id?: the tenant the path names, id?: the resource id}
#   body:     {tenant_id?, env?} when the request body carries them
package plinth.authz

system_tenant := "t_system"

manager_roles := {"owner", "admin"}

# Kinds a tenant's own owners and admins manage.
tenant_managed_kinds := {"members", "projects", "subscriptions"}

default route := {"allow": false, "status": 403, "code": "FORBIDDEN", "reason": "not allowed"}

route := deny(403, "CONTEXT_MISMATCH", mismatch_reason) if {
	mismatch_reason
} else := {"allow": true, "status": 200, "code": "OK", "reason": admin_grant} if {
	input.route.admin
	admin_grant
} else := deny(403, "FORBIDDEN", concat("", [
	"user ", input.context.user_id, " may not ", input.route.action, " ", input.route.kind,
	" in tenant ", object.get(input.target, "tenant_id", input.context.tenant_id),
])) if {
	input.route.admin
} else := {"allow": true, "status": 200, "code": "OK", "reason": "context matches"}

is_system_admin if {
	input.context.tenant_id == system_tenant
	some role in input.context.roles
	role in manager_roles
}

is_tenant_manager if {
	some role in input.context.roles
	role in manager_roles
}

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
