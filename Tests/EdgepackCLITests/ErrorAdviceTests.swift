import Foundation
import Testing
import TestSupport

/// Auth failures say where credentials were looked for and what to do, in one line without the secret.
@Suite struct ErrorAdviceTests {
    let digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

    func pull(_ reference: String, environment: [String: String], input: String? = nil, extra: [String] = []) throws -> ProcessResult {
        let dir = try TemporaryDirectory()
        return try edgepack(["pull", reference, "-o", dir.file("out")] + extra, environment: environment, input: input)
    }

    @Test func missingCredentialsNameWhereEdgepackLookedAndTheFix() throws {
        let dir = try TemporaryDirectory()
        let host = registries.token
        let result = try pull("\(host)/advice/pipelines/p@\(digest)", environment: ["DOCKER_CONFIG": dir.file("docker")])
        #expect(result.status == 1)
        #expect(result.stderr == "edgepack: error: \(host) needs a username and password to fetch advice/pipelines/p@\(digest) and found none "
            + "(no --username, no EDGEPACK_USERNAME/EDGEPACK_PASSWORD or OCI_USERNAME/OCI_PASSWORD, nothing for \(host) in \(dir.file("docker"))/config.json): "
            + "run 'edgepack login \(host)', set OCI_USERNAME and OCI_PASSWORD, or pass --username with --password-stdin\n")
    }

    @Test func credentialsSavedUnderAnotherLoopbackNameAreNoticed() throws {
        let dir = try TemporaryDirectory()
        let docker = ["DOCKER_CONFIG": dir.file("docker")]
        let port = try #require(registries.token.split(separator: ":").last)
        let login = try edgepack(["login", "localhost:\(port)", "--username", "edgepack", "--password-stdin"], environment: docker, input: "edgepack-pass")
        #expect(login.succeeded, "\(login.stderr)")
        let result = try pull("127.0.0.1:\(port)/advice/pipelines/p@\(digest)", environment: docker)
        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("; credentials are saved for localhost:\(port), the same registry under another name: "
            + "write the registry as localhost:\(port), or run 'edgepack login 127.0.0.1:\(port)'\n"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        // Under the name it was saved for, the same registry answers (a missing manifest, not an auth failure).
        let saved = try pull("localhost:\(port)/advice/pipelines/p@\(digest)", environment: docker)
        #expect(saved.stderr == "edgepack: error: fetch advice/pipelines/p@\(digest): not found on localhost:\(port) (MANIFEST_UNKNOWN: manifest unknown): list the versions with 'edgepack publishes p --registry localhost:\(port)/advice'\n")
    }

    @Test func rejectedCredentialsSayWhereTheyCameFrom() throws {
        let host = registries.token
        let fromEnvironment = try pull("\(host)/advice/pipelines/p@\(digest)", environment: ["OCI_USERNAME": "edgepack", "OCI_PASSWORD": "wrong-secret-1"])
        #expect(fromEnvironment.stderr == "edgepack: error: authentication to \(host) failed as user edgepack: wrong username or password, or an expired token "
            + "(credentials from OCI_USERNAME/OCI_PASSWORD): correct OCI_USERNAME and OCI_PASSWORD, or unset them to use docker's config\n")
        let fromFlags = try pull("\(host)/advice/pipelines/p@\(digest)", environment: [:], input: "wrong-secret-2", extra: ["--username", "edgepack", "--password-stdin"])
        #expect(fromFlags.stderr == "edgepack: error: authentication to \(host) failed as user edgepack: wrong username or password, or an expired token "
            + "(the username and password given to edgepack): check them and try again\n")
        for result in [fromEnvironment, fromFlags] {
            #expect(result.status == 1 && !result.stderr.contains("wrong-secret"))
        }
    }

    @Test func anAccountWithoutAccessIsToldToUseAnother() throws {
        let host = registries.token
        let (result, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(host)/advice-readonly", environment: ["OCI_USERNAME": "reader", "OCI_PASSWORD": "reader-pass"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("edgepack: error: \(host) denied permission to "), "\(result.stderr)")
        #expect(result.stderr.hasSuffix(" as user reader (credentials from OCI_USERNAME/OCI_PASSWORD): the account lacks that access; "
            + "use one that has it (edgepack login \(host), or OCI_USERNAME and OCI_PASSWORD)\n"), "\(result.stderr)")
    }
}
