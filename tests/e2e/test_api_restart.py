"""REST API across restarts: a run the server was executing when it died is failed with a clear
reason at the next start; a run still pending is executed after the restart (docs/jobs.md,
"Start-up recovery" and "Shutdown"). Each test has a server and data directory of its own.
"""
from __future__ import annotations

import threading
import time

from conftest_api import GREETER, LOOPER


def clients(server, api_tokens, openapi):
    return server.client(api_tokens["author"][0], openapi), server.client(api_tokens["user"][0], openapi)


def start_a_running_and_a_pending_run(server, api_tokens, openapi):
    author, user = clients(server, api_tokens, openapi)
    author.create_analysis("looper", LOOPER)
    author.create_analysis("greeter", GREETER)
    finished = user.execute("greeter", {"name": "Before"})
    assert user.wait(finished)["status"] == "completed"
    running = user.execute("looper")
    user.wait_for_status(running, "running")
    pending = user.execute("looper", {"mode": "quick"})  # waits: one running run per analysis
    assert user.job(pending)["status"] == "pending"
    return finished, running, pending


def test_kill_9_fails_the_running_job_and_the_pending_one_runs_after_restart(fresh_server, api_tokens, openapi):
    server = fresh_server()
    finished, running, pending = start_a_running_and_a_pending_run(server, api_tokens, openapi)

    server.kill()
    server.start()
    author, user = clients(server, api_tokens, openapi)

    failed = user.job(running)
    assert failed["status"] == "failed", failed
    assert failed["error"].startswith("the server stopped while this run was running"), failed["error"]
    assert "Run it again." in failed["error"]
    assert f"marked run {running} failed" in server.stderr_path.read_text()

    done = user.wait(pending)
    assert done["status"] == "completed" and done["result"] == {"done": True}, done

    # What was stored before the crash is all still there.
    assert user.job(finished)["result"]["greeting"] == "Hello, Before"
    assert [r["job_id"] for r in user.get("/api/analysis/looper/runs").json["runs"]] == [pending, running]
    assert {a["id"] for a in user.get("/api/analysis").json} == {"looper", "greeter"}


def test_sigterm_fails_the_running_job_and_keeps_the_pending_one(fresh_server, api_tokens, openapi):
    server = fresh_server()
    _, running, pending = start_a_running_and_a_pending_run(server, api_tokens, openapi)

    assert server.stop() == 0
    server.start()
    _, user = clients(server, api_tokens, openapi)

    failed = user.job(running)
    assert failed["status"] == "failed", failed
    assert "the job service shut down while the run was running" in failed["error"], failed["error"]
    done = user.wait(pending)
    assert done["status"] == "completed" and done["result"] == {"done": True}, done


def test_a_token_still_works_after_a_restart_and_tokens_of_other_projects_still_see_nothing(fresh_server, api_tokens, openapi):
    server = fresh_server()
    author, user = clients(server, api_tokens, openapi)
    author.create_analysis("kept", GREETER)
    server.stop()
    server.start()
    _, user = clients(server, api_tokens, openapi)
    assert user.get("/api/analysis/kept").status == 200
    other = server.client(api_tokens["other_user"][0], openapi)
    assert other.get("/api/analysis/kept").status == 404


def test_sigterm_ends_responses_held_open_at_once(fresh_server, api_tokens, openapi):
    # ?wait_ms and /events hold a request open; stopping must not wait for them to end by
    # themselves: the wait answers with the status at that moment, the stream just ends.
    server = fresh_server()
    author, user = clients(server, api_tokens, openapi)
    author.create_analysis("looper", LOOPER)
    job_id = user.execute("looper")
    user.wait_for_status(job_id, "running")
    waited, streamed = [], []
    waiter = threading.Thread(target=lambda: waited.append(user.job(job_id, wait_ms=60_000)))
    streamer = threading.Thread(target=lambda: streamed.extend(user.events(job_id)))
    waiter.start()  # first, so that its request is being handled by the time the stream is open
    streamer.start()
    deadline = time.monotonic() + 60
    while not streamed:  # the stream is open
        assert time.monotonic() < deadline, "no event arrived"
        time.sleep(0.02)
    assert user.job(job_id)["status"] == "running" and not waited, "the wait is still held open"

    assert server.stop() == 0
    waiter.join(timeout=60)
    streamer.join(timeout=60)
    assert waited and waited[0]["status"] == "running", "the wait answered when the server stopped, not when the run ended"
    assert [e.data["status"] for e in streamed if e.event == "status"] == ["running"]
