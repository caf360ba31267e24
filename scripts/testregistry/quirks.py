"""What the proxies' control endpoints set and report: fault rules, quirk rules (with their cuts and holds),
requests in flight and bytes counted. Every object here is shared by a proxy's request threads."""
import random, threading

class Faults:
    """GET /__faults?status=S&count=N&method=M&match=PATH: the next N requests matching fail with S."""
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.injected = 0
        self.redirected = []  # whether each redirected request carried an Authorization header

    def add(self, query):
        with self.lock:
            self.rules.append({"status": query.get("status", "500"), "count": int(query.get("count", "1")),
                               "method": query.get("method", ""), "match": query.get("match", "")})
        return {"injected": self.injected, "redirected": self.redirected}

    def take(self, method, path):
        """The status of the fault this request gets, or None."""
        with self.lock:
            for rule in self.rules:
                if rule["count"] > 0 and rule["method"] in ("", method) and rule["match"] in path:
                    rule["count"] -= 1
                    self.injected += 1
                    return rule["status"]
        return None

QUIRK_KEYS = {"cut": float, "cutdown": float, "seed": int, "keeppartial": int, "cap": int, "bodylimit": int, "patch201": int,
              "nochunks": int, "noautocreate": int, "holdat": int, "rate": int,
              "referrers": int, "latency": float}

class Quirks:
    """Registry behaviours for the requests whose path contains a rule's `match` (the last rule set wins):
    cut=P        cut P% of uploads (PUT/PATCH bodies of 64 KiB or more) at a random point of the body (seed=N:
                 the same choices every run). Like a buffering front (nginx's default proxy_request_buffering, or
                 a registry that stores whole parts only), the registry never sees a cut request: the session
                 stays where it was. keeppartial=1 forwards the part received instead, as a bare distribution
                 registry gets it (which then cancels the session when asked about it with its older URL);
    cutdown=P    cut P% of blob downloads (GET responses of 64 KiB or more) the same way;
    cap=N        a per-request cap as GHCR has: a body over N bytes is refused, PUT with 413, PATCH with 416;
    bodylimit=N  a body limit as an nginx ingress has (client_max_body_size): any body over N bytes gets 413;
    patch201=1   a chunk PATCH is answered 201 instead of 202, as ECR does;
    nochunks=1   PATCH is refused (405 UNSUPPORTED), as Google Artifact Registry does;
    noautocreate=1  repositories are not created on push: a repository not created with
                 /__repositories?create=NAME answers 404 NAME_UNKNOWN;
    holdat=N     stop the transfer in which an upload session (or a blob download) passes N bytes, right there,
                 until /__release or /__restart (once per rule); then it is cut as above;
    rate=N       at most N bytes per second per transfer;
    referrers=1  the OCI 1.1 referrers API, as registries that have it answer: a manifest pushed with a `subject`
                 gets `OCI-Subject` in the reply and is listed by GET /v2/NAME/referrers/DIGEST (distribution 2.8
                 has no such API: 404);
    latency=S    every request waits S seconds before it is answered, like a registry across a network.
/__inflight?match=M reports the most requests of the rule with match=M that were in flight at once: manifest
requests ("manifests") and requests with a body over 1 MiB ("large bodies")."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.created = set()
        self.held = 0
        self.release = threading.Event()
        self.transfers_done = threading.Condition(self.lock)
        self.active_holds = 0
        self.referrers = {}

    def add(self, query):
        rule = {"match": query.get("match", "")}
        for key, kind in QUIRK_KEYS.items():
            if key in query:
                rule[key] = kind(query[key])
        rule["random"] = random.Random(rule.get("seed", 0))
        rule["holds"] = 1 if rule.get("holdat") else 0
        with self.lock:
            self.rules.append(rule)
            if rule["holds"]:
                self.release.clear()

    def find(self, path):
        with self.lock:
            for rule in reversed(self.rules):
                if rule["match"] and rule["match"] in path:
                    return rule
        return None

    def create(self, names):
        """Repositories that exist for noautocreate; all of them, sorted."""
        with self.lock:
            self.created.update(name for name in names if name)
            return sorted(self.created)

    def knows(self, repository):
        with self.lock:
            return repository in self.created

    def cut_point(self, rule, key, length, before=0):
        """Where to stop a body of `length` bytes (`before`: what its session received earlier): ("hold", AT),
        ("cut", AT) or None."""
        if not rule or length < 64 << 10:
            return None
        with self.lock:
            if rule["holds"] and before < rule["holdat"] <= before + length:
                rule["holds"] = 0
                return ("hold", rule["holdat"] - before)
            if rule.get(key) and rule["random"].random() * 100 < rule[key]:
                return ("cut", int(length * rule["random"].uniform(0.05, 0.95)))
        return None

    def wait_for_release(self):
        with self.lock:
            self.held += 1
            self.active_holds += 1
        self.release.wait(120)

    def hold_finished(self):
        with self.lock:
            self.active_holds -= 1
            self.transfers_done.notify_all()

    def release_all(self):
        self.release.set()
        with self.lock:
            self.transfers_done.wait_for(lambda: self.active_holds == 0, timeout=30)
            for rule in self.rules:
                rule["holds"] = 0

    def add_referrer(self, name, subject, descriptor):
        with self.lock:
            listed = self.referrers.setdefault((name, subject), [])
            if all(d["digest"] != descriptor["digest"] for d in listed):
                listed.append(descriptor)

    def referrers_of(self, name, digest, artifact_type):
        with self.lock:
            return [d for d in self.referrers.get((name, digest), []) if not artifact_type or d.get("artifactType") == artifact_type]

class InFlight:
    """How many requests of each kind a quirk rule's requests have had in flight at once, at most."""
    def __init__(self):
        self.lock = threading.Lock()
        self.now, self.most = {}, {}

    @staticmethod
    def kinds(rule, path, length):
        if not rule:
            return []
        kinds = []
        if "/manifests/" in path:
            kinds.append((rule["match"], "manifests"))
        if length > 1 << 20:
            kinds.append((rule["match"], "large bodies"))
        return kinds

    def enter(self, kinds):
        with self.lock:
            for kind in kinds:
                self.now[kind] = self.now.get(kind, 0) + 1
                self.most[kind] = max(self.most.get(kind, 0), self.now[kind])

    def leave(self, kinds):
        with self.lock:
            for kind in kinds:
                self.now[kind] -= 1

    def report(self, match):
        with self.lock:
            return {kind: most for (rule, kind), most in self.most.items() if rule == match}

class ByteCounts:
    """Request body bytes received per upload session, attributed to a digest when the session's PUT ?digest=
    arrives; response body bytes sent per blob download."""
    def __init__(self):
        self.lock = threading.Lock()
        self.lifetime = {}  # per session, never reset: where holdat counts from
        self.reset()

    def reset(self):
        self.sessions, self.uploaded, self.downloaded, self.received = {}, {}, {}, 0

    def add_upload(self, session, count):
        with self.lock:
            self.received += count
            self.sessions[session] = self.sessions.get(session, 0) + count
            self.lifetime[session] = self.lifetime.get(session, 0) + count

    def session_total(self, session):
        with self.lock:
            return self.lifetime.get(session, 0)

    def attribute(self, session, digest):
        with self.lock:
            self.uploaded[digest] = self.uploaded.get(digest, 0) + self.sessions.pop(session, 0)

    def add_download(self, digest, count):
        with self.lock:
            self.downloaded[digest] = self.downloaded.get(digest, 0) + count

    def report(self, reset=False):
        """What /__bytes answers: the counts before a reset."""
        with self.lock:
            report = {"received": self.received, "uploaded": dict(self.uploaded), "downloaded": dict(self.downloaded),
                      "open_sessions": dict(self.sessions)}
            if reset:
                self.reset()
            return report
