import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct AuthChallengeTests {
    @Test func parsesBearerChallenges() throws {
        let challenge = try #require(AuthChallenge(header: #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push""#))
        #expect(challenge.scheme == "bearer")
        #expect(challenge.realm == "https://auth.docker.io/token")
        #expect(challenge.service == "registry.docker.io")
        #expect(challenge.scope == "repository:library/alpine:pull,push")
    }

    @Test func tokensAreAskedForTheGroupsOfRepositoriesARequestTouches() {
        let expected = (0..<70).map { "repository:p/m\($0):pull,push" }
        // One repository: its group of 32; a mount from another group: both groups; an unexpected one: none.
        let one = AuthenticationKeeper.groups(of: ["repository:p/m40:pull"], in: expected)
        #expect(one == Array(expected[32..<64]))
        let mount = AuthenticationKeeper.groups(of: ["repository:p/m65:pull,push", "repository:p/m3:pull"], in: expected)
        #expect(mount == Array(expected[0..<32] + expected[64..<70]))
        #expect(AuthenticationKeeper.groups(of: ["repository:other:pull"], in: expected).isEmpty)
        var token = AuthenticationKeeper.CachedToken(value: "t", expires: .distantFuture)
        token.covers = AuthenticationKeeper.actionsByResource(one)
        #expect(AuthenticationKeeper.covers(token, ["repository:p/m40:pull,push"]))
        #expect(!AuthenticationKeeper.covers(token, ["repository:p/m3:pull"]))
    }

    @Test func parsesErrorsEscapesAndBasic() throws {
        let denied = try #require(AuthChallenge(header: #"Bearer realm="https://r/token", error="insufficient_scope", error_description="a \"quoted\" word""#))
        #expect(denied.error == "insufficient_scope")
        #expect(denied.parameters["error_description"] == #"a "quoted" word"#)
        let basic = try #require(AuthChallenge(header: #"Basic realm="edgepack-basic""#))
        #expect(basic.scheme == "basic" && basic.realm == "edgepack-basic")
        #expect(AuthChallenge(header: "") == nil)
    }

    @Test func credentialsNeverPrintTheirSecret() {
        let credential = Credential.password(username: "robot", password: "s3cret")
        #expect(!"\(credential)".contains("s3cret"))
        #expect(!"\(Credential.identityToken("tok-123"))".contains("tok-123"))
        #expect(credential.basicAuthorization == "Basic " + Data("robot:s3cret".utf8).base64EncodedString())
    }

    @Test(arguments: ["", "a", "ab", "abc", "abcd", "any carnal pleas"])
    func base64MatchesFoundation(text: String) {
        #expect(Base64.encode(Array(text.utf8)) == Data(text.utf8).base64EncodedString())
    }

    @Test func retryAfterIsHonouredAndCapped() {
        let policy = RetryPolicy()
        #expect(policy.delay(attempt: 0, retryAfter: "2") == 2)
        #expect(policy.delay(attempt: 0, retryAfter: "3600") == policy.maxRetryAfter)
        #expect(policy.delay(attempt: 3, retryAfter: nil) <= policy.baseDelay * 8)
        #expect(RetryPolicy.isRetryable(status: 503) && RetryPolicy.isRetryable(status: 429))
        #expect(!RetryPolicy.isRetryable(status: 404) && !RetryPolicy.isRetryable(status: 501))
    }
}

@Suite struct DockerConfigTests {
    func config(_ json: String) throws -> (TemporaryDirectory, DockerConfig) {
        let dir = try TemporaryDirectory()
        let path = try dir.write("config.json", json)
        return (dir, try DockerConfig(path: path))
    }

    @Test func readsAuthsUnderEveryHubName() throws {
        let auth = Data("hubuser:hubpass".utf8).base64EncodedString()
        let (_, hub) = try config(#"{"auths":{"https://index.docker.io/v1/":{"auth":"\#(auth)"}}}"#)
        #expect(try hub.credential(for: "docker.io") == .password(username: "hubuser", password: "hubpass"))
        #expect(try hub.credential(for: "registry-1.docker.io") == .password(username: "hubuser", password: "hubpass"))
        #expect(try hub.credential(for: "ghcr.io") == nil)
    }

    @Test func identityTokensWin() throws {
        let (_, withToken) = try config(#"{"auths":{"myregistry.azurecr.io":{"auth":"PHRva2VuPjo=","identitytoken":"refresh-abc"}}}"#)
        #expect(try withToken.credential(for: "myregistry.azurecr.io") == .identityToken("refresh-abc"))
    }

    @Test func credentialHelpersAreAskedLikeDockerDoes() throws {
        let dir = try TemporaryDirectory()
        let helper = try dir.write("bin/docker-credential-edgetest", """
        #!/bin/sh
        read host
        if [ "$1" = get ] && [ "$host" = "helped.example.com" ]; then echo '{"ServerURL":"helped.example.com","Username":"helper-user","Secret":"helper-secret"}'; exit 0; fi
        echo "credentials not found in native keychain"; exit 1
        """)
        chmod(helper, 0o755)
        let path = try dir.write("config.json", #"{"credHelpers":{"helped.example.com":"edgetest"},"credsStore":"edgetest"}"#)
        setenv("PATH", dir.file("bin") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ""), 1)
        let config = try DockerConfig(path: path)
        #expect(try config.credential(for: "helped.example.com") == .password(username: "helper-user", password: "helper-secret"))
        #expect(try config.credential(for: "other.example.com") == nil)
    }

    @Test func storeWritesAuthsPrivately() throws {
        let dir = try TemporaryDirectory()
        var config = try DockerConfig(path: dir.file("docker/config.json"))
        try config.store(.password(username: "u", password: "p"), for: "registry.example.com")
        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("docker/config.json"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try DockerConfig(path: dir.file("docker/config.json")).credential(for: "registry.example.com") == .password(username: "u", password: "p"))
        #expect(try config.remove(host: "registry.example.com"))
        #expect(try DockerConfig(path: dir.file("docker/config.json")).credential(for: "registry.example.com") == nil)
    }

    @Test func environmentComesBeforeDockerConfig() throws {
        let resolver = CredentialResolver(environment: ["OCI_USERNAME": "env-user", "OCI_PASSWORD": "env-pass", "DOCKER_CONFIG": "/nonexistent"])
        #expect(try resolver.credential(for: "x.example.com") == .password(username: "env-user", password: "env-pass"))
        let ownFirst = CredentialResolver(environment: ["TOOL_USERNAME": "a", "TOOL_PASSWORD": "b", "OCI_USERNAME": "c", "OCI_PASSWORD": "d", "DOCKER_CONFIG": "/nonexistent"],
                                          variables: [CredentialVariables(username: "TOOL_USERNAME", password: "TOOL_PASSWORD"), .oci])
        #expect(try ownFirst.credential(for: "x") == .password(username: "a", password: "b"))
        #expect(try ownFirst.lookup(for: "x").source == .environment(username: "TOOL_USERNAME", password: "TOOL_PASSWORD"))
        #expect(try CredentialResolver(environment: ["DOCKER_CONFIG": "/nonexistent"]).credential(for: "x") == .anonymous)
    }
}

@Suite struct TarIndexTests {
    @Test func findsEveryBlobWhereBsdtarDoes() throws {
        let dir = try TemporaryDirectory()
        let long = String(repeating: "x", count: 150)
        try dir.write("src/\(long).bin", "long name content")
        try dir.write("src/small.txt", "small")
        let sink = MemorySink()
        try DirectoryTarWriter(options: TarOptions(mtime: 0)).write(directory: dir.file("src"), to: sink)
        let tar = try dir.write("t.tar", Data(sink.bytes))
        let index = try TarIndex(path: tar)
        for (name, content) in [("\(long).bin", "long name content"), ("small.txt", "small")] {
            let entry = try #require(index.entries[name])
            #expect(Array(sink.bytes[Int(entry.offset)..<Int(entry.offset + entry.size)]) == Array(content.utf8))
        }
        let gnu = try run("tar", ["--format=gnu", "-cf", dir.file("gnu.tar"), "-C", dir.file("src"), "."])
        #expect(gnu.succeeded)
        #expect(try TarIndex(path: dir.file("gnu.tar")).entries["\(long).bin"]?.size == 17)
    }

    @Test func refusesCompressedOrForeignFiles() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: OCIError.self) { try TarIndex(path: try dir.write("x.tar", String(repeating: "junk", count: 200))) }
    }
}
