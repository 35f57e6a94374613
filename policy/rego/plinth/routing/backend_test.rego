package plinth.routing_test

import data.plinth.routing

route(id, tenant, surface, app, project, backend) := {
	"id": id, "kind": "feature_flags", "tenant": tenant, "surface": surface,
	"app": app, "project": project, "backend": backend,
}

base := {
	"kind": "feature_flags",
	"resource_kind": {"id": "feature_flags", "model": "document"},
	"context": {"tenant_id": "t_acme", "surface_id": "s_sq", "app_id": "a_notes", "project_id": "p_one"},
	"candidates": [
		route("default", "*", "*", "*", "*", "fs"),
		route("acme", "t_acme", "*", "*", "*", "redis"),
		route("sq", "*", "s_sq", "*", "*", "fs2"),
	],
	"backends": {
		"fs": {"id": "fs", "type": "firestore", "status": "active"},
		"fs2": {"id": "fs2", "type": "firestore", "status": "active"},
		"redis": {"id": "redis", "type": "redis", "status": "active"},
		"proj": {"id": "proj", "type": "redis", "status": "active"},
	},
}

test_surface_beats_tenant_beats_default if {
	d := routing.backend with input as base
	d.allow
	d.backend_id == "fs2"
	d.scope == "surface"
	d.route_id == "sq"
}

test_tenant_beats_default if {
	d := routing.backend with input as json.patch(base, [{"op": "remove", "path": "/candidates/2"}])
	d.backend_id == "redis"
	d.scope == "tenant"
}

test_project_beats_everything if {
	d := routing.backend with input as json.patch(base, [{"op": "add", "path": "/candidates/-", "value": route("p", "t_acme", "*", "*", "p_one", "proj")}])
	d.backend_id == "proj"
	d.scope == "project"
}

test_app_beats_surface if {
	d := routing.backend with input as json.patch(base, [{"op": "add", "path": "/candidates/-", "value": route("a", "*", "*", "a_notes", "*", "redis")}])
	d.scope == "app"
}

test_default_only if {
	d := routing.backend with input as json.patch(base, [{"op": "replace", "path": "/candidates", "value": [route("default", "*", "*", "*", "*", "fs")]}])
	d.scope == "default"
	d.backend_id == "fs"
}

test_no_route_names_the_kind_and_the_scopes_tried if {
	d := routing.backend with input as json.patch(base, [{"op": "replace", "path": "/candidates", "value": []}])
	d.status == 503
	d.code == "ROUTE_MISSING"
	d.reason == "no route for feature_flags; scopes tried: project p_one, app a_notes, surface s_sq, tenant t_acme, t_system default (add a routes/ document)"
}

test_unknown_kind_is_404 if {
	d := routing.backend with input as json.remove(base, ["resource_kind"])
	d.code == "UNKNOWN_KIND"
}

test_suspended_backend_is_unavailable if {
	d := routing.backend with input as json.patch(base, [{"op": "replace", "path": "/backends/fs2/status", "value": "suspended"}])
	d.code == "BACKEND_UNAVAILABLE"
}

test_missing_backend_is_route_missing if {
	d := routing.backend with input as json.remove(base, ["backends/fs2"])
	d.code == "ROUTE_MISSING"
}

test_scopes_tried_lists_only_what_the_context_names if {
	inp := json.patch(base, [
		{"op": "replace", "path": "/candidates", "value": []},
		{"op": "replace", "path": "/context", "value": {"tenant_id": "t_acme"}},
	])
	d := routing.backend with input as inp
	d.reason == "no route for feature_flags; scopes tried: tenant t_acme, t_system default (add a routes/ document)"
}
