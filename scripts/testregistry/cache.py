"""`test-registry cache`: a pull-through cache (distribution's proxy mode) of another registry."""
import json, os, signal, time

from .registries import free_port, start_registry, wait_for

def serve_cache(state, remote, username, password):
    """A pull-through cache of `remote`: anonymous, read-only; it pulls from the remote with these credentials."""
    # A test process may start us with SIGTERM blocked (its threads block it); stop() must get it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    os.makedirs(state, exist_ok=True)
    port = free_port()
    cache = start_registry(state, "cache", port, "", extra=f"""proxy:
  remoteurl: http://{remote}
  username: {username}
  password: {password}""")
    wait_for(port)
    ready = os.path.join(state, "cache.json")
    with open(ready + ".tmp", "w") as f:
        json.dump({"cache": f"127.0.0.1:{port}", "pid": cache.pid}, f)
    os.rename(ready + ".tmp", ready)
    def stop(*_):
        cache.terminate()
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parent = os.getppid()
    while cache.poll() is None and os.getppid() == parent:
        time.sleep(0.5)
    stop()
