package plinth.realtime_test

import data.plinth.realtime

thread := {"readers": ["u_r"], "writers": ["u_w"]}

check(user, roles, action) := d if {
	d := realtime.acl with input as {"context": {"user_id": user, "roles": roles}, "action": action, "thread": thread}
}

test_writer_publishes_and_subscribes if {
	check("u_w", ["member"], "publish").allow
	check("u_w", ["member"], "subscribe").allow
}

test_reader_only_subscribes if {
	check("u_r", ["member"], "subscribe").allow
	not check("u_r", ["member"], "publish").allow
}

test_stranger_is_refused if {
	d := check("u_x", ["member"], "subscribe")
	d.status == 403
}

test_manager_may_do_both if {
	check("u_x", ["admin"], "publish").allow
}

test_missing_thread_is_404 if {
	d := realtime.acl with input as {"context": {"user_id": "u_w", "roles": []}, "action": "publish"}
	d.status == 404
}
