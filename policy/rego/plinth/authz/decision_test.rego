package plinth.authz_test

import data.plinth.authz

base := {
	"credentials": {"present": true, "verified": true, "user_id": "u_admin", "issuer": "plinth-dev"},
	"request": {"tenant_id": "t_system", "env": "dev"},
	"tenant": {"id": "t_system", "status": "active", "allowed_envs": ["dev", "prod"], "mode": "enterprise"},
	"user": {"id": "u_admin", "status": "active"},
	"membership": {"user_id": "u_admin", "roles": ["admin"], "status": "active"},
}

system_defaults := {"mode": "saas"}

test_valid_request_resolves_context if {
	d := authz.decision with input as base with data.plinth.defaults as system_defaults
	d.allow == true
	d.status == 200
	d.context == {
		"tenant_id": "t_system", "env": "dev", "user_id": "u_admin",
		"roles": ["admin"], "mode": "enterprise",
		"surface_id": null, "app_id": null, "project_id": null,
	}
}

test_mode_falls_back_to_system_default if {
	inp := json.remove(base, ["tenant/mode"])
	d := authz.decision with input as inp with data.plinth.defaults as system_defaults
	d.context.mode == "saas"
}

test_missing_credentials_is_401 if {
	d := authz.decision with input as json.patch(base, [{"op": "replace", "path": "/credentials", "value": {"present": false}}])
	d.status == 401
	d.code == "UNAUTHENTICATED"
	d.allow == false
}

test_unverified_credentials_is_401_with_reason if {
	d := authz.decision with input as json.patch(base, [{"op": "replace", "path": "/credentials", "value": {"present": true, "verified": false, "error": "token expired"}}])
	d.status == 401
	d.reason == "credentials rejected: token expired"
}

# 401 wins over 400: no credentials and a malformed tenant still answers 401.
test_401_before_400 if {
	inp := json.patch(base, [
		{"op": "replace", "path": "/credentials", "value": {"present": false}},
		{"op": "replace", "path": "/request/tenant_id", "value": "Bad Tenant"},
	])
	d := authz.decision with input as inp
	d.status == 401
}

test_malformed_tenant_is_400 if {
	every bad in ["system", "T_upper", "t_", "t_sp ace", "t_ü", "t_a/b", "xt_a", " t_a", "t_a\n"] {
		d := authz.decision with input as json.patch(base, [{"op": "replace", "path": "/request/tenant_id", "value": bad}])
		d.status == 400
		d.code == "MALFORMED_CONTEXT"
	}
}

test_missing_tenant_header_is_400 if {
	d := authz.decision with input as json.remove(base, ["request/tenant_id"])
	d.status == 400
	d.reason == "missing X-Tenant-Id header"
}

test_missing_env_is_400 if {
	d := authz.decision with input as json.remove(base, ["request/env"])
	d.status == 400
	d.reason == "missing X-Env header"
}

# 400 wins over 403: a malformed env for a tenant without membership is 400.
test_400_before_403 if {
	inp := json.patch(json.remove(base, ["membership"]), [{"op": "replace", "path": "/request/env", "value": "Not An Env"}])
	d := authz.decision with input as inp
	d.status == 400
}

test_no_membership_is_403 if {
	d := authz.decision with input as json.remove(base, ["membership"])
	d.status == 403
	d.code == "FORBIDDEN"
	d.reason == "user u_admin is not a member of tenant t_system"
}

test_unknown_tenant_is_403 if {
	d := authz.decision with input as json.remove(base, ["tenant"])
	d.status == 403
}

test_suspended_tenant_is_403 if {
	d := authz.decision with input as json.patch(base, [{"op": "replace", "path": "/tenant/status", "value": "suspended"}])
	d.status == 403
	d.reason == "tenant t_system is suspended"
}

test_suspended_user_is_403 if {
	d := authz.decision with input as json.patch(base, [{"op": "replace", "path": "/user/status", "value": "suspended"}])
	d.status == 403
}

test_inactive_membership_is_403 if {
	d := authz.decision with input as json.patch(base, [{"op": "replace", "path": "/membership/status", "value": "revoked"}])
	d.status == 403
}

test_env_not_allowed_is_403 if {
	d := authz.decision with input as json.patch(base, [{"op": "replace", "path": "/request/env", "value": "staging"}])
	d.status == 403
	d.reason == "env staging is not allowed for tenant t_system"
}

test_unknown_user_is_403 if {
	d := authz.decision with input as json.remove(base, ["user"])
	d.status == 403
}

test_empty_input_fails_closed if {
	d := authz.decision with input as {}
	d.allow == false
	d.status == 401
}

test_well_formed_tenant_ids_pass if {
	every good in ["t_a", "t_system", "t_acme-eu_1", "t_0", "t_--"] {
		authz.valid_tenant_id(good)
	}
}

# The trim()-based checks accept exactly what the documented regular expressions accept.
tenant_samples := ["t_a", "t_", "T_a", "t_ü", "t_a b", "t_a-b_c9", "x", "t", "", "t__", "tt_a"]

env_samples := ["dev", "prod-eu_1", "-dev", "_x", "Dev", "d", "", "d-", b63, b64]

b63 := concat("", ["a", concat("", [c | some _ in numbers.range(1, 62); c := "b"])])

b64 := concat("", [b63, "b"])

test_grammar_matches_the_documented_patterns if {
	{s | some s in tenant_samples; regex.match(authz.tenant_id_pattern, s)} == {s | some s in tenant_samples; authz.valid_tenant_id(s)}
	{s | some s in env_samples; regex.match(authz.env_pattern, s)} == {s | some s in env_samples; authz.valid_env(s)}
	count(b63) == 63
}

test_malformed_env_is_400 if {
	every bad in ["", "-dev", "Dev", "d e v", "dév"] {
		d := authz.decision with input as json.patch(base, [{"op": "replace", "path": "/request/env", "value": bad}])
		d.status == 400
	}
}

# --- surface / app / project scope ---

scoped := json.patch(base, [
	{"op": "add", "path": "/tenant/surfaces", "value": ["s_squared"]},
	{"op": "remove", "path": "/tenant/mode"},
	{"op": "replace", "path": "/request", "value": {"tenant_id": "t_system", "env": "dev", "surface_id": "s_squared", "app_id": "a_notes", "project_id": "p_one"}},
	{"op": "add", "path": "/surface", "value": {"id": "s_squared", "status": "active", "mode": "lab"}},
	{"op": "add", "path": "/app", "value": {"id": "a_notes", "status": "active", "surface": "s_squared"}},
	{"op": "add", "path": "/subscription", "value": {"app_id": "a_notes", "status": "active"}},
	{"op": "add", "path": "/project", "value": {"id": "p_one", "status": "active", "app": "a_notes"}},
])

test_scope_resolves_with_the_surface_mode if {
	d := authz.decision with input as scoped with data.plinth.defaults as system_defaults
	d.status == 200
	d.context.surface_id == "s_squared"
	d.context.app_id == "a_notes"
	d.context.project_id == "p_one"
	d.context.mode == "lab"
}

test_tenant_mode_beats_surface_mode if {
	d := authz.decision with input as json.patch(scoped, [{"op": "add", "path": "/tenant/mode", "value": "saas"}])
	d.context.mode == "saas"
}

test_malformed_scope_ids_are_400 if {
	every field in ["surface_id", "app_id", "project_id"] {
		d := authz.decision with input as json.patch(scoped, [{"op": "replace", "path": concat("/", ["", "request", field]), "value": "x_bad"}])
		d.status == 400
	}
}

scope_refusals := {
	"unknown surface": [{"op": "remove", "path": "/surface"}],
	"tenant not on surface": [{"op": "replace", "path": "/tenant/surfaces", "value": []}],
	"unknown app": [{"op": "remove", "path": "/app"}],
	"app on another surface": [{"op": "replace", "path": "/app/surface", "value": "s_other"}],
	"not subscribed": [{"op": "remove", "path": "/subscription"}],
	"suspended subscription": [{"op": "replace", "path": "/subscription/status", "value": "suspended"}],
	"unknown project": [{"op": "remove", "path": "/project"}],
	"project of another app": [{"op": "replace", "path": "/project/app", "value": "a_other"}],
}

test_scope_mismatches_are_403 if {
	every _, patch in scope_refusals {
		d := authz.decision with input as json.patch(scoped, patch)
		d.status == 403
		d.code == "FORBIDDEN"
	}
}
