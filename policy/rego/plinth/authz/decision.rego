# plinth/authz/decision: resolves a request's context or says why it cannot.
#
# Java gathers the facts (verified credentials, header values, and the tenant, user
# and membership records looked up in the control-plane Snapshot) and passes them in
# `input`; this policy alone decides. Checks run in the order of DESIGN.md §5:
# 401 UNAUTHENTICATED, then 400 MALFORMED_CONTEXT, then 403 FORBIDDEN.
#
# Input (schema: docs/policies.md):
#   credentials: {present, verified, error?, user_id?, issuer?}
#   request:     {tenant_id?, env?, surface_id?, app_id?, project_id?}
#   tenant, user, membership, surface, app, app_surface, subscription, project:
#                the records, absent when not found
# Data: data.plinth.defaults.mode, data.plinth.modes (global, slowly changing).
package plinth.authz

# Identifier grammars. They are checked with trim() over a character set rather than
# regex.match: OPA's wasm compiles a regex on every evaluation (~300 µs each on Chicory),
# while trim() costs microseconds. The patterns below are the documented equivalents.
tenant_id_pattern := `^t_[a-z0-9_-]{1,62}$`

env_pattern := `^[a-z0-9][a-z0-9_-]{0,62}$`

lower_alnum := "abcdefghijklmnopqrstuvwxyz0123456789"

id_chars := "abcdefghijklmnopqrstuvwxyz0123456789_-"

# ^t_[a-z0-9_-]{1,62}$ (and the same for u_, s_, a_, p_ ids)
valid_tenant_id(s) := valid_prefixed_id("t_", s)

valid_prefixed_id(prefix, s) if {
	is_string(s)
	startswith(s, prefix)
	count(s) > 2
	count(s) <= 64
	trim(substring(s, 2, -1), id_chars) == ""
}

# ^[a-z0-9][a-z0-9_-]{0,62}$
valid_env(s) if {
	count(s) >= 1
	count(s) <= 63
	trim(substring(s, 0, 1), lower_alnum) == ""
	trim(s, id_chars) == ""
}

# Fail closed: whatever is not explicitly allowed below is a 401 with a reason.
default decision := {
	"allow": false,
	"status": 401,
	"code": "UNAUTHENTICATED",
	"reason": "no decision could be made from the given facts",
}

decision := deny(401, "UNAUTHENTICATED", unauthenticated_reason) if {
	unauthenticated_reason
} else := deny(400, "MALFORMED_CONTEXT", malformed_reason) if {
	malformed_reason
} else := deny(403, "FORBIDDEN", forbidden_reason) if {
	forbidden_reason
} else := {
	"allow": true,
	"status": 200,
	"code": "OK",
	"reason": "context resolved",
	"context": resolved_context,
}

deny(status, code, reason) := {"allow": false, "status": status, "code": code, "reason": reason}

unauthenticated_reason := "missing bearer credentials" if {
	not input.credentials.present
} else := concat("", ["credentials rejected: ", input.credentials.error]) if {
	input.credentials.verified != true
	is_string(input.credentials.error)
} else := "credentials rejected" if {
	input.credentials.verified != true
}

malformed_reason := "missing X-Tenant-Id header" if {
	not is_string(request_tenant_id)
} else := concat("", ["malformed X-Tenant-Id: must match ", tenant_id_pattern]) if {
	not valid_tenant_id(request_tenant_id)
} else := "missing X-Env header" if {
	not is_string(request_env)
} else := concat("", ["malformed X-Env: must match ", env_pattern]) if {
	not valid_env(request_env)
} else := "malformed X-Surface-Id: must match ^s_[a-z0-9_-]{1,62}$" if {
	optional_malformed("surface_id", "s_")
} else := "malformed X-App-Id: must match ^a_[a-z0-9_-]{1,62}$" if {
	optional_malformed("app_id", "a_")
} else := "malformed X-Project-Id: must match ^p_[a-z0-9_-]{1,62}$" if {
	optional_malformed("project_id", "p_")
}

# An optional header that was sent but does not follow its grammar.
optional_malformed(field, prefix) if {
	value := input.request[field]
	not valid_prefixed_id(prefix, value)
}

forbidden_reason := concat("", ["no user is registered for the credentials' subject"]) if {
	not input.user
} else := concat("", ["user ", input.user.id, " is ", input.user.status]) if {
	input.user.status != "active"
} else := concat("", ["tenant ", input.request.tenant_id, " does not exist or the caller is not a member"]) if {
	not input.tenant
} else := concat("", ["tenant ", input.tenant.id, " is ", input.tenant.status]) if {
	input.tenant.status != "active"
} else := concat("", ["user ", input.user.id, " is not a member of tenant ", input.tenant.id]) if {
	not input.membership
} else := concat("", ["membership of ", input.user.id, " in ", input.tenant.id, " is ", input.membership.status]) if {
	input.membership.status != "active"
} else := concat("", ["env ", input.request.env, " is not allowed for tenant ", input.tenant.id]) if {
	not env_allowed
} else := scope_reason if {
	scope_reason
}

# Surface, app and project, when the request names them, must exist and fit together.
scope_reason := concat("", ["surface ", input.request.surface_id, " does not exist or is not active"]) if {
	input.request.surface_id
	not active(fact("surface"))
} else := concat("", ["tenant ", input.tenant.id, " is not on surface ", input.request.surface_id]) if {
	input.request.surface_id
	not input.request.surface_id in input.tenant.surfaces
} else := concat("", ["app ", requested_app, " does not exist or is not active"]) if {
	requested_app
	not active(fact("app"))
} else := concat("", ["app ", requested_app, " is not on surface ", input.request.surface_id]) if {
	requested_app
	input.request.surface_id
	input.app.surface != input.request.surface_id
} else := concat("", ["tenant ", input.tenant.id, " is not subscribed to app ", requested_app]) if {
	requested_app
	not active(fact("subscription"))
} else := concat("", ["project ", input.request.project_id, " does not exist in tenant ", input.tenant.id]) if {
	input.request.project_id
	not active(fact("project"))
} else := concat("", ["project ", input.request.project_id, " belongs to app ", input.project.app, ", not ", input.request.app_id]) if {
	input.request.project_id
	input.request.app_id
	input.project.app != input.request.app_id
}

active(record) if record.status == "active"

# A record from input, or null when absent. Passing input.x straight into a function
# under `not` would make the whole rule undefined when x is absent (OPA hoists the
# reference out of the negation), so absent facts are turned into null first.
fact(name) := object.get(input, name, null)

# The app in scope: the one named, else the named project's.
requested_app := input.request.app_id if {
	input.request.app_id
} else := input.project.app if {
	input.request.project_id
	input.project.app
}

# The surface in scope: the one named, else the app's.
scope_surface := input.surface if {
	input.request.surface_id
} else := input.app_surface if {
	input.app_surface
}

# Header values, null when absent, so `not is_string(...)` is defined either way.
request_tenant_id := object.get(input, ["request", "tenant_id"], null)

request_env := object.get(input, ["request", "env"], null)

env_allowed if {
	some env in input.tenant.allowed_envs
	env == input.request.env
}

# The effective mode: the tenant's, else the surface's in scope, else the t_system default.
effective_mode := input.tenant.mode if {
	is_string(input.tenant.mode)
} else := scope_surface.mode if {
	is_string(scope_surface.mode)
} else := data.plinth.defaults.mode

resolved_context := {
	"tenant_id": input.tenant.id,
	"env": input.request.env,
	"user_id": input.user.id,
	"roles": object.get(input.membership, "roles", []),
	"mode": effective_mode,
	"surface_id": context_surface_id,
	"app_id": context_app_id,
	"project_id": context_project_id,
}

context_surface_id := scope_surface.id if scope_surface.id else := null

context_app_id := requested_app if requested_app else := null

context_project_id := input.request.project_id if input.request.project_id else := null
