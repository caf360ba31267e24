"""The proxies in front of a registry: "flaky" (faults) and "quirky" (faults, quirks, cuts, holds, byte counts,
restarts). A request is, in this order: a control endpoint (/__NAME), the stand-in blob store, refused by a
quirk, failed by a fault, answered by the emulated referrers API, or forwarded upstream (cut, held, paced and
counted on the way, its reply reshaped by the quirks)."""
import hashlib, http.client, http.server, json, os, socket, time, urllib.parse

from .quirks import ByteCounts, InFlight, Quirks

PRESIGNED_SECRET = "presigned0signature0never0printed"  # the redirect fault's X-Amz-Signature
JSON = {"Content-Type": "application/json"}
HOP_HEADERS = ("transfer-encoding", "connection", "content-length")  # never relayed from upstream's reply

def repository_of(path):
    parts = urllib.parse.urlparse(path).path.split("/")
    for marker in ("blobs", "manifests", "tags"):
        if marker in parts[2:]:
            return "/".join(parts[2:len(parts) - 1 - parts[::-1].index(marker)])
    return None

class Proxy:
    """What one proxy's request threads share. `upstream`: an address, or an object with `address` and
    `restart(pause)` (registries.Upstream)."""
    def __init__(self, upstream, faults, storage, quirks=None, counts=None):
        self.address = getattr(upstream, "address", upstream)
        self.restart = getattr(upstream, "restart", None)
        self.faults, self.storage = faults, storage
        self.quirks, self.counts, self.inflight = quirks or Quirks(), counts or ByteCounts(), InFlight()

def proxy_handler(upstream, faults, storage, quirks=None, counts=None):
    return type("Handler", (ProxyHandler,), {"proxy": Proxy(upstream, faults, storage, quirks, counts)})

class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy = None  # set by proxy_handler

    def log_message(self, *args):
        pass

    def query(self):
        return {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).items()}

    @property
    def head(self):
        return self.command == "HEAD"

    def handle_any(self):
        if self.path.startswith("/__blobstore/"):
            return self.serve_blobstore()
        if self.path.startswith("/__"):
            answer = self.control()
            if answer is not None:
                return self.finish_reply(200, JSON, json.dumps(answer).encode())
        length = int(self.headers.get("Content-Length", 0) or 0)
        rule = self.proxy.quirks.find(self.path)
        kinds = InFlight.kinds(rule, self.path, length)
        self.proxy.inflight.enter(kinds)
        try:
            self.answer(rule, length)
        finally:
            self.proxy.inflight.leave(kinds)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    def answer(self, rule, length):
        if rule and rule.get("latency"):
            time.sleep(rule["latency"])
        refusal = self.quirk_refusal(rule, length)
        if refusal:
            self.drain(length)
            return self.reply_error(*refusal)
        fault = self.proxy.faults.take(self.command, self.path)
        if fault:
            self.drain(length)
            return self.inject(fault)
        if rule and rule.get("referrers") and self.referrers_api(length):
            return
        self.forward(rule, length)

    # Control endpoints: GET /__NAME?…, answered with JSON.

    CONTROLS = ("faults", "quirks", "repositories", "bytes", "inflight", "held", "release", "restart")

    def control(self):
        """The answer of the control endpoint the path names, or None when it names none."""
        for name in self.CONTROLS:
            if self.path.startswith("/__" + name):
                return getattr(self, "control_" + name)(self.query())
        return None

    def control_faults(self, query):
        return self.proxy.faults.add(query)

    def control_quirks(self, query):
        self.proxy.quirks.add(query)
        return {}

    def control_repositories(self, query):
        return {"created": self.proxy.quirks.create(query.get("create", "").split(","))}

    def control_bytes(self, query):
        return self.proxy.counts.report(reset=bool(query.get("reset")))

    def control_inflight(self, query):
        return self.proxy.inflight.report(query.get("match", ""))

    def control_held(self, query):
        return {"held": self.proxy.quirks.held}

    def control_release(self, query):
        self.proxy.quirks.release_all()
        return {"held": self.proxy.quirks.held}

    def control_restart(self, query):
        if self.proxy.restart is None:
            return {"error": "this proxy cannot restart its registry"}
        self.proxy.restart(float(query.get("pause", "0.5")))  # transfers held meanwhile go on after it
        self.proxy.quirks.release_all()
        return {"restarted": True}

    # Quirks that refuse a request outright: (status, code, message) or None.

    def quirk_refusal(self, rule, length):
        if not rule:
            return None
        for refusal in (self.unknown_repository, self.no_chunks, self.over_cap, self.over_body_limit):
            answer = refusal(rule, length)
            if answer:
                return answer
        return None

    def unknown_repository(self, rule, length):
        """noautocreate: repositories exist only once created with /__repositories."""
        if not rule.get("noautocreate"):
            return None
        repository = repository_of(self.path)
        if repository is None or self.proxy.quirks.knows(repository):
            return None
        return 404, "NAME_UNKNOWN", "repository name not known to registry"

    def no_chunks(self, rule, length):
        """nochunks: Google Artifact Registry has no PATCH."""
        if rule.get("nochunks") and self.command == "PATCH":
            return 405, "UNSUPPORTED", "chunked uploads are not supported"
        return None

    def over_cap(self, rule, length):
        """cap: GHCR's per-request cap on a PUT or PATCH body."""
        if rule.get("cap") and length > rule["cap"] and self.command in ("PUT", "PATCH"):
            return (413 if self.command == "PUT" else 416), "SIZE_INVALID", "request body over the per-request limit"
        return None

    def over_body_limit(self, rule, length):
        """bodylimit: an nginx ingress's client_max_body_size, on any body."""
        if rule.get("bodylimit") and length > rule["bodylimit"]:
            return 413, "TOO_LARGE", "413 Request Entity Too Large"
        return None

    # Faults (the body, if any, has been read).

    def inject(self, fault):
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "redirect":
            return self.redirect_to_blobstore()
        self.reply_error(int(fault), "UNAVAILABLE", "injected fault", {"Retry-After": "1"} if fault == "429" else {})

    def redirect_to_blobstore(self):
        digest = self.path.rsplit("/", 1)[1]
        host = self.headers.get("Host", "").replace("127.0.0.1", "localhost")
        # Signed like an S3 presigned URL: the signature is a secret that must never be printed.
        signed = f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEDGEPACK%2Fs3&X-Amz-Signature={PRESIGNED_SECRET}"
        self.finish_reply(307, {"Location": f"http://{host}/__blobstore/{digest}?{signed}"}, b"", head=self.head)

    def serve_blobstore(self):
        """Stands in for blob storage (S3 and the like) that registries redirect downloads to."""
        self.proxy.faults.redirected.append("Authorization" in self.headers)
        digest = urllib.parse.urlparse(self.path).path.rsplit("/", 1)[1].split(":", 1)[1]
        with open(os.path.join(self.proxy.storage, "docker/registry/v2/blobs/sha256", digest[:2], digest, "data"), "rb") as f:
            return self.finish_reply(200, {"Content-Type": "application/octet-stream"}, f.read(), head=self.head)

    # The referrers API over distribution 2.8 (quirk referrers=1).

    def referrers_api(self, length):
        """True when this request was answered here."""
        path = urllib.parse.urlparse(self.path).path
        if self.command == "GET" and "/referrers/" in path:
            self.list_referrers(path)
            return True
        if self.command == "PUT" and "/manifests/" in path:
            self.put_manifest_recording_subject(path, length)
            return True
        return False

    def list_referrers(self, path):
        name, digest = path[len("/v2/"):].split("/referrers/", 1)
        wanted = self.query().get("artifactType")
        headers = {"Content-Type": "application/vnd.oci.image.index.v1+json"}
        if wanted:
            headers["OCI-Filters-Applied"] = "artifactType"
        body = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": self.proxy.quirks.referrers_of(name, digest, wanted)}
        self.finish_reply(200, headers, json.dumps(body).encode())

    def put_manifest_recording_subject(self, path, length):
        body = self.rfile.read(length)
        connection = http.client.HTTPConnection(self.proxy.address, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "host", "content-length")}
        connection.request("PUT", self.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        out = {k: v for k, v in response.getheaders() if k.lower() not in HOP_HEADERS}
        manifest = json.loads(body or b"{}")
        if response.status == 201 and isinstance(manifest.get("subject"), dict):
            name = path[len("/v2/"):].split("/manifests/", 1)[0]
            descriptor = {"mediaType": self.headers.get("Content-Type", ""), "size": len(body),
                          "digest": "sha256:" + hashlib.sha256(body).hexdigest(),
                          "artifactType": manifest.get("artifactType") or manifest.get("config", {}).get("mediaType")}
            if manifest.get("annotations"):
                descriptor["annotations"] = manifest["annotations"]
            self.proxy.quirks.add_referrer(name, manifest["subject"]["digest"], descriptor)
            out["OCI-Subject"] = manifest["subject"]["digest"]
        self.finish_reply(response.status, out, data)
        connection.close()

    # Forwarding upstream: the body (cut, held, paced, counted), then the reply.

    def upload_session(self):
        if self.command not in ("PUT", "PATCH", "POST"):
            return None
        parts = urllib.parse.urlparse(self.path).path.rstrip("/").split("/")
        return parts[-1] if "uploads" in parts[:-1] else None

    def forward(self, rule, length):
        session = self.upload_session()
        stop = None
        if self.command in ("PUT", "PATCH"):
            before = self.proxy.counts.session_total(session) if session else 0
            stop = self.proxy.quirks.cut_point(rule, "cut", length, before)
        if stop and not rule.get("keeppartial"):
            return self.swallow(stop, session)
        connection = self.open_upstream()
        if connection is None:
            return self.abort()  # the registry is down (restarting): as if the connection dropped
        sent = self.send_body(connection, rule, length, stop, session)
        if sent is None:
            return self.abort()
        if sent < length:
            return self.end_cut_upload(connection, stop)
        self.relay_reply(connection, rule, session)

    def open_upstream(self):
        """A connection to the registry with this request's line and headers sent, or None."""
        try:
            connection = http.client.HTTPConnection(self.proxy.address, timeout=120)
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for key, value in self.headers.items():  # repeated headers (Accept) stay repeated
                if key.lower() not in ("connection",):
                    connection.putheader(key, value)
            connection.endheaders()
            return connection
        except OSError:
            return None

    def send_body(self, connection, rule, length, stop, session):
        """Bytes of the body sent upstream (fewer than `length` when cut or when the client went away), or None
        when the registry went away."""
        sent, started = 0, time.time()
        while sent < length:
            limit = length - sent if stop is None else stop[1] - sent
            chunk = self.rfile.read(min(limit, 1 << 20)) if limit > 0 else b""
            if not chunk:
                break
            try:
                connection.send(chunk)
            except OSError:
                return None
            sent += len(chunk)
            if session:
                self.proxy.counts.add_upload(session, len(chunk))
            self.pace(rule, started, sent)
        return sent

    def end_cut_upload(self, connection, stop):
        """Cut mid-body (or the client went away): the registry keeps what it got, then both sides drop."""
        held = stop and stop[0] == "hold"
        if held:
            self.proxy.quirks.wait_for_release()
        try:
            connection.sock.shutdown(socket.SHUT_WR)
            connection.sock.settimeout(10)
            connection.getresponse().read()
        except (OSError, http.client.HTTPException):
            pass
        connection.close()
        if held:
            self.proxy.quirks.hold_finished()
        self.abort()

    def swallow(self, stop, session):
        """Reads the body up to the stop (holding there if asked), forwards none of it, and drops the client."""
        received = 0
        while received < stop[1]:
            chunk = self.rfile.read(min(stop[1] - received, 1 << 20))
            if not chunk:
                break
            received += len(chunk)
            if session:
                self.proxy.counts.add_upload(session, len(chunk))
        if stop[0] == "hold":
            self.proxy.quirks.wait_for_release()
            self.proxy.quirks.hold_finished()
        self.abort()

    def relay_reply(self, connection, rule, session):
        try:
            response = connection.getresponse()
        except (OSError, http.client.HTTPException):
            return self.abort()
        status = response.status
        if rule and rule.get("patch201") and self.command == "PATCH" and status == 202:
            status = 201  # ECR answers a chunk with 201
        if self.command == "PUT" and session and status == 201 and self.query().get("digest"):
            self.proxy.counts.attribute(session, self.query()["digest"])
        headers = self.relayed_headers(response)
        declared = response.getheader("Content-Length")
        if self.head or declared is None:
            data = response.read()
            connection.close()
            return self.finish_reply(status, headers, data, head=self.head, length=declared)
        self.stream_reply(status, headers, response, int(declared), rule)
        connection.close()

    def relayed_headers(self, response):
        """Upstream's reply headers, its own address in Location replaced by this proxy's."""
        out = {}
        for key, value in response.getheaders():
            if key.lower() in HOP_HEADERS:
                continue
            if key.lower() == "location":
                value = value.replace(f"http://{self.proxy.address}", f"http://{self.headers.get('Host')}")
            out[key] = value
        return out

    def stream_reply(self, status, headers, response, length, rule):
        """Upstream's reply body, a blob download's cut or held as the quirks say and counted."""
        blob = "/blobs/sha256:" in self.path and self.command == "GET" and status in (200, 206)
        digest = self.path.rsplit("/", 1)[1].split("?")[0] if blob else None
        before = int(self.headers.get("Range", "bytes=0-")[6:].split("-")[0] or 0) if blob else 0
        stop = self.proxy.quirks.cut_point(rule, "cutdown", length, before) if blob else None
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        sent, started = 0, time.time()
        try:
            while sent < length:
                limit = length - sent if stop is None else stop[1] - sent
                chunk = response.read(min(limit, 1 << 20)) if limit > 0 else b""
                if not chunk:
                    break
                self.wfile.write(chunk)
                sent += len(chunk)
                if digest:
                    self.proxy.counts.add_download(digest, len(chunk))
                self.pace(rule, started, sent)
            if sent < length:
                self.wfile.flush()
                if stop and stop[0] == "hold":
                    self.proxy.quirks.wait_for_release()
                    self.proxy.quirks.hold_finished()
                self.abort()
        except OSError:
            self.close_connection = True

    def pace(self, rule, started, sent):
        """rate: at most N bytes per second per transfer."""
        if rule and rule.get("rate"):
            ahead = sent / rule["rate"] - (time.time() - started)
            if ahead > 0:
                time.sleep(ahead)

    # Plumbing.

    def drain(self, length):
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 20))
            if not chunk:
                break
            length -= len(chunk)

    def abort(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def reply_error(self, status, code, message, headers=None):
        data = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self.finish_reply(status, {**(headers or {}), **JSON}, data, head=self.head)

    def finish_reply(self, status, headers, data, head=False, length=None):
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", length if head and length else str(len(data)) if not head else "0")
        self.end_headers()
        if not head:
            self.wfile.write(data)
