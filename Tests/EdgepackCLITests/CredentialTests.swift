import Foundation
import Testing
import TestSupport
import OCIKit

@Suite(.serialized) struct CredentialTests {
    func tokenRequests() throws -> [[String: Any]] {
        let text = (try? String(contentsOfFile: registries.state + "/token-requests.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func loginSavesCredentialsThatPublishThenUses() throws {
        let dir = try TemporaryDirectory()
        let docker = ["DOCKER_CONFIG": dir.file("docker")]
        let login = try edgepack(["login", registries.token, "--username", "edgepack", "--password-stdin"], environment: docker, input: "edgepack-pass\n")
        #expect(login.succeeded, "\(login.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("docker/config.json"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!(login.stdout + login.stderr).contains("edgepack-pass"))
        let (published, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.token)/login", environment: docker)
        #expect(published.succeeded, "\(published.stderr)")
        #expect(try edgepack(["logout", registries.token], environment: docker).stdout.contains("Removed"))
        let (anonymous, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.token)/login2", environment: docker)
        #expect(anonymous.status == 1)
        let wrong = try edgepack(["login", registries.token, "--username", "edgepack", "--password-stdin"], environment: docker, input: "nope")
        #expect(wrong.status == 1 && wrong.stderr.contains("wrong username or password"))
    }

    /// Token requests naming any repository under `path`.
    func tokenRequests(under path: String) throws -> [[String]] {
        try tokenRequests().compactMap { $0["scope"] as? [String] }.filter { $0.contains { $0.contains(":\(path)/") } }
    }

    @Test func onePublishAsksForOneTokenCoveringEveryRepository() throws {
        let path = "onetoken\(UUID().uuidString.prefix(6).lowercased())"
        let (published, record) = try publish("ccfraud/edgepack.yaml", registry: "\(registries.token)/\(path)")
        #expect(published.succeeded, "\(published.stderr)")
        let requests = try tokenRequests(under: path)
        #expect(requests.count == 1, "\(requests)")
        // Three models, the pipeline, the chart and the compose file: six repositories in one token.
        let repositories = Set(requests.first?.map { $0.split(separator: ":")[1] } ?? [])
        #expect(repositories.count == 6, "\(repositories)")
        #expect(record?.references.count == 6)
    }

    @Test func tokenServicesRefusingBroadTokensGetOnePerRepository() throws {
        let path = "narrow\(UUID().uuidString.prefix(6).lowercased())"
        let (published, _) = try publish("ccfraud/edgepack.yaml", registry: "\(registries.token)/\(path)",
                                         environment: ["OCI_USERNAME": "narrow", "OCI_PASSWORD": "narrow-pass"])
        #expect(published.succeeded, "\(published.stderr)")
        let requests = try tokenRequests(under: path)
        let broad = requests.filter { Set($0.map { $0.split(separator: ":")[1] }).count > 2 }
        #expect(broad.count == 1, "asked for a broad token once, then no more: \(requests)")
        #expect(requests.count > 6)
    }

    @Test func identityTokensAreExchangedThroughOAuth2() throws {
        let grant = try run("curl", ["-sf", "-u", "edgepack:edgepack-pass", "http://\(registries.token_server)/token?service=edgepack-test-registry&offline_token=true"])
        let refresh = try #require((try JSONSerialization.jsonObject(with: Data(grant.stdout.utf8)) as? [String: Any])?["refresh_token"] as? String)
        let dir = try TemporaryDirectory()
        try dir.write("docker/config.json", #"{"auths":{"\#(registries.token)":{"auth":"PHRva2VuPjo=","identitytoken":"\#(refresh)"}}}"#)
        let before = try tokenRequests().filter { $0["grant"] as? String == "refresh_token" }.count
        let (result, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.token)/oauth", environment: ["DOCKER_CONFIG": dir.file("docker")])
        #expect(result.succeeded, "\(result.stderr)")
        #expect(try tokenRequests().filter { $0["grant"] as? String == "refresh_token" }.count > before)
    }

    @Test func expiredTokensAreFetchedAgainMidPublish() throws {
        let client = try RegistryClient.connect(host: registries.token, credential: .password(username: "shortlived", password: "shortlived-pass"), options: {
            var options = RegistryOptions()
            options.plainHTTP = true
            return options
        }())
        let before = try tokenRequests().filter { $0["user"] as? String == "shortlived" }.count
        for round in 0..<2 {
            let bytes = Array("round \(round) \(UUID())".utf8)
            let blob = Blob(mediaType: "application/octet-stream", bytes: bytes)
            try client.pushBlob(blob.descriptor, to: Repository(unchecked: "expiry/test"), source: { _, _ in MemoryUploadSource(bytes) })
            #expect(try client.blobSize(blob.descriptor.digest, in: Repository(unchecked: "expiry/test")) == Int64(bytes.count))
            Thread.sleep(forTimeInterval: 2.5)  // the token server gives this user 2-second tokens
        }
        #expect(try tokenRequests().filter { $0["user"] as? String == "shortlived" }.count >= before + 2)
    }

    /// A download redirected to a presigned URL carries no Authorization header, and the trace prints that URL
    /// without its signature.
    @Test func redirectedDownloadsNeverCarryCredentials() throws {
        let path = "redirect\(UUID().uuidString.prefix(6).lowercased())"
        let (published, record) = try publish("ccfraud/edgepack.yaml", registry: "\(registries.flaky)/\(path)")
        #expect(published.succeeded, "\(published.stderr)")
        try registries.injectFaults(status: "redirect", count: 3, method: "GET", match: "/v2/\(path)/pipelines/ccfraud-pipeline/blobs/")
        let dir = try TemporaryDirectory()
        let pull = try edgepack(["pull", try #require(record).pipeline_url, "-o", dir.path], environment: pusher.merging(["EDGEPACK_TRACE": "1"]) { $1 })
        #expect(pull.succeeded, "\(pull.stderr)")
        let traced = pull.stderr.split(separator: "\n").filter { $0.contains("/__blobstore/") }
        #expect(traced.count >= 3 && traced.allSatisfy { $0.contains("X-Amz-Signature=REDACTED") }, "\(pull.stderr)")
        #expect(!pull.stderr.contains("presigned0signature0never0printed"))
        let state = try run("curl", ["-sf", "http://\(registries.flaky)/__faults?count=0"])
        let redirected = try #require((try JSONSerialization.jsonObject(with: Data(state.stdout.utf8)) as? [String: Any])?["redirected"] as? [Bool])
        #expect(redirected.count >= 3)
        #expect(!redirected.contains(true), "a redirected request carried an Authorization header")
    }
}
