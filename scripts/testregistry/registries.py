"""The registries themselves (Debian's docker-registry, distribution 2.8), their TLS files, and main: start
everything, write STATE/registries.json, run until killed or until the parent exits."""
import ctypes, datetime, http.server, ipaddress, json, os, queue, secrets, signal, socket, subprocess, sys
import threading, time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .proxy import proxy_handler
from .quirks import Faults
from .tokens import ISSUER, SERVICE, USERS, TokenIssuer, token_handler

def die_with_parent():
    """Linux: get SIGTERM when the parent (a test run, a demo script) goes away."""
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

class Upstream:
    """The registry a proxy forwards to; /__restart stops it and starts it again (same storage, same secret).
    Restarts run on one long-lived thread: a child dies with the thread that started it (PR_SET_PDEATHSIG)."""
    def __init__(self, address, start):
        self.address, self.start = address, start
        self.process = start()
        self.requests = queue.Queue()
        threading.Thread(target=self.restarter, daemon=True).start()

    def restarter(self):
        while True:
            pause, done = self.requests.get()
            self.process.kill()
            self.process.wait()
            time.sleep(pause)
            self.process = self.start()
            wait_for(int(self.address.rsplit(":", 1)[1]))
            done.set()

    def restart(self, pause):
        done = threading.Event()
        self.requests.put((pause, done))
        done.wait(30)

def tls_files(state):
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it (for --ca-file tests)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edgepack test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=7))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {name: os.path.join(state, name) for name in ("ca.crt", "server.crt", "server.key")}
    with open(paths["ca.crt"], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.crt"], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.key"], "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths

def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()

def start_registry(state, name, port, auth, tls="", extra=""):
    write_registry_config(state, name, port, auth, tls, extra)
    return launch_registry(state, name)

def write_registry_config(state, name, port, auth, tls="", extra=""):
    root = os.path.join(state, name)
    os.makedirs(root, exist_ok=True)
    config = os.path.join(state, f"{name}.yml")
    with open(config, "w") as f:
        f.write(f"""version: 0.1
log:
  level: warn
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
  secret: {secrets.token_hex(16)}
{tls}
{"auth:" if auth else ""}
{auth}
{extra}
""")

def launch_registry(state, name):
    """Runs a registry whose config start_registry wrote (again, after a restart: same secret, same storage)."""
    log = open(os.path.join(state, f"{name}.log"), "a")
    return subprocess.Popen(["docker-registry", "serve", os.path.join(state, f"{name}.yml")], stdout=log,
                            stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

def wait_for(port):
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"test-registry: nothing listening on 127.0.0.1:{port}")

def main(usage):
    if len(sys.argv) == 9 and sys.argv[1:3] == ["cache", "--state"] and sys.argv[4] == "--remote" and sys.argv[6] == "--username":
        from .cache import serve_cache
        die_with_parent()
        return serve_cache(os.path.abspath(sys.argv[3]), sys.argv[5], sys.argv[7], sys.argv[8])
    if len(sys.argv) != 4 or sys.argv[1] != "serve" or sys.argv[2] != "--state":
        sys.exit(usage)
    die_with_parent()
    state = os.path.abspath(sys.argv[3])
    os.makedirs(state, exist_ok=True)

    issuer = TokenIssuer(state)
    token_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), token_handler(issuer))
    serve(token_server)
    token_address = f"127.0.0.1:{token_server.server_address[1]}"

    token_port, basic_port, tls_port, spare_port = free_port(), free_port(), free_port(), free_port()
    tls = tls_files(state)
    htpasswd = os.path.join(state, "htpasswd")
    subprocess.run(["htpasswd", "-Bbc", htpasswd, "edgepack", "edgepack-pass"], check=True, capture_output=True)
    token_auth = f"""  token:
    realm: http://{token_address}/token
    service: {SERVICE}
    issuer: {ISSUER}
    rootcertbundle: {issuer.cert_path}"""
    processes = [
        start_registry(state, "token", token_port, token_auth),
        start_registry(state, "basic", basic_port, f"""  htpasswd:
    realm: edgepack-basic
    path: {htpasswd}"""),
        start_registry(state, "tls", tls_port, f"""  htpasswd:
    realm: edgepack-tls
    path: {htpasswd}""", tls=f"""  tls:
    certificate: {tls["server.crt"]}
    key: {tls["server.key"]}"""),
    ]
    write_registry_config(state, "spare", spare_port, token_auth)
    spare = Upstream(f"127.0.0.1:{spare_port}", lambda: launch_registry(state, "spare"))
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), proxy_handler(f"127.0.0.1:{token_port}", Faults(), os.path.join(state, "token")))
    serve(proxy)
    quirky = http.server.ThreadingHTTPServer(("127.0.0.1", 0), proxy_handler(spare, Faults(), os.path.join(state, "spare")))
    serve(quirky)
    wait_for(spare_port)
    wait_for(token_port)
    wait_for(basic_port)
    wait_for(tls_port)

    description = {
        "token": f"127.0.0.1:{token_port}", "basic": f"127.0.0.1:{basic_port}",
        "tls": f"127.0.0.1:{tls_port}", "ca_file": tls["ca.crt"],
        "flaky": f"127.0.0.1:{proxy.server_address[1]}", "token_server": token_address,
        "spare": f"127.0.0.1:{spare_port}", "quirky": f"127.0.0.1:{quirky.server_address[1]}",
        "users": {name: password for name, (password, _, _) in USERS.items()},
        "state": state,
    }
    ready = os.path.join(state, "registries.json")
    with open(ready + ".tmp", "w") as f:
        json.dump(description, f, indent=2)
    os.rename(ready + ".tmp", ready)
    print(json.dumps(description), flush=True)

    def stop(*_):
        for process in processes + [spare.process]:
            process.terminate()
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parent = os.getppid()
    while all(p.poll() is None for p in processes) and os.getppid() == parent:
        time.sleep(0.5)
    stop()
