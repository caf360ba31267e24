"""The token server: JWTs signed with a throwaway key whose certificate the registries trust, and OAuth2
refresh tokens. Every request is logged in STATE/token-requests.jsonl."""
import base64, datetime, http.server, json, os, secrets, time, urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.x509.oid import NameOID

SERVICE, ISSUER = "edgepack-test-registry", "edgepack-test-token-server"
USERS = {"edgepack": ("edgepack-pass", ["pull", "push"], 300),
         "reader": ("reader-pass", ["pull"], 300),
         "shortlived": ("shortlived-pass", ["pull", "push"], 2),
         "narrow": ("narrow-pass", ["pull", "push"], 300)}
NARROW_LIMIT = 2  # repositories per token request for the "narrow" user

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

class TokenIssuer:
    def __init__(self, state):
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
                     .sign(self.key, hashes.SHA256()))
        self.cert_path = os.path.join(state, "token.crt")
        with open(self.cert_path, "wb") as f:
            f.write(self.cert.public_bytes(serialization.Encoding.PEM))
        self.refresh_tokens = {}
        self.log_path = os.path.join(state, "token-requests.jsonl")

    def record(self, entry):
        with open(self.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def sign(self, subject, access, lifetime):
        der = self.cert.public_bytes(serialization.Encoding.DER)
        header = {"typ": "JWT", "alg": "ES256", "x5c": [base64.b64encode(der).decode()]}
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + lifetime, "nbf": now - 10, "iat": now,
                  "jti": secrets.token_hex(8), "access": access}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        r, s = utils.decode_dss_signature(self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    @staticmethod
    def too_broad(user, scopes):
        return user == "narrow" and len({s.rsplit(":", 1)[0] for s in scopes}) > NARROW_LIMIT

    def grant(self, user, scopes):
        allowed = USERS[user][1] if user else []
        access = []
        for scope in scopes:
            parts = scope.split(":")
            if scope == "registry:catalog:*" and "push" in allowed:  # the catalog, for accounts that may push
                access.append({"type": "registry", "name": "catalog", "actions": ["*"]})
                continue
            if len(parts) < 3 or parts[0] != "repository":
                continue
            actions = [a for a in parts[-1].split(",") if a in allowed or (a == "*" and "push" in allowed)]
            access.append({"type": "repository", "name": ":".join(parts[1:-1]), "actions": actions})
        lifetime = USERS[user][2] if user else 300
        return {"token": self.sign(user or "anonymous", access, lifetime), "expires_in": lifetime,
                "issued_at": datetime.datetime.now(datetime.timezone.utc).isoformat()}

    def new_refresh_token(self, user):
        refresh = secrets.token_hex(16)
        self.refresh_tokens[refresh] = user
        return refresh

class TokenHandler(http.server.BaseHTTPRequestHandler):
    """GET /token (basic auth, docker's token flow) and POST /token (OAuth2 password and refresh_token grants)."""
    issuer = None  # set by token_handler

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def basic_user(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None, True
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, True) if user in USERS and USERS[user][0] == password else (None, False)

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        user, ok = self.basic_user()
        self.issuer.record({"method": "GET", "user": user, "scope": query.get("scope", [])})
        if not ok:
            return self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "invalid username or password"}]})
        if self.issuer.too_broad(user, query.get("scope", [])):
            return self.reply(400, {"errors": [{"code": "DENIED", "message": "too many scopes in one request"}]})
        body = self.issuer.grant(user, query.get("scope", []))
        if user and query.get("offline_token") == ["true"]:
            body["refresh_token"] = self.issuer.new_refresh_token(user)
        self.reply(200, body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        grant = form.get("grant_type", [""])[0]
        scopes = " ".join(form.get("scope", [])).split()
        self.issuer.record({"method": "POST", "grant": grant, "scope": scopes})
        if grant == "password":
            user = form.get("username", [""])[0]
            if user not in USERS or USERS[user][0] != form.get("password", [""])[0]:
                return self.reply(401, {"error": "invalid_grant"})
            refresh = self.issuer.new_refresh_token(user)
        elif grant == "refresh_token":
            refresh = form.get("refresh_token", [""])[0]
            user = self.issuer.refresh_tokens.get(refresh)
            if not user:
                return self.reply(401, {"error": "invalid_grant"})
        else:
            return self.reply(400, {"error": "unsupported_grant_type"})
        if self.issuer.too_broad(user, scopes):
            return self.reply(400, {"error": "invalid_scope"})
        body = self.issuer.grant(user, scopes)
        self.reply(200, {"access_token": body["token"], "expires_in": body["expires_in"],
                         "issued_at": body["issued_at"], "refresh_token": refresh})

def token_handler(issuer):
    return type("TokenServerHandler", (TokenHandler,), {"issuer": issuer})
