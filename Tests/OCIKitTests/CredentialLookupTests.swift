import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct CredentialLookupTests {
    func lookup(_ host: String, config: String, environment: [String: String] = [:]) throws -> CredentialLookup {
        let dir = try TemporaryDirectory()
        try dir.write("config.json", config)
        return try CredentialResolver(environment: environment.merging(["DOCKER_CONFIG": dir.path]) { $1 }).lookup(for: host)
    }

    @Test func saysWhereTheCredentialCameFrom() throws {
        let auth = #"{"auths":{"localhost:5000":{"auth":"dTpw"}}}"#
        let fromConfig = try lookup("localhost:5000", config: auth)
        #expect(fromConfig.credential == .password(username: "u", password: "p"))
        #expect(fromConfig.source == .dockerConfig(path: fromConfig.dockerConfigPath))
        let fromEnvironment = try lookup("localhost:5000", config: auth, environment: ["OCI_USERNAME": "a", "OCI_PASSWORD": "b"])
        #expect(fromEnvironment.source == .environment(username: "OCI_USERNAME", password: "OCI_PASSWORD"))
        let none = try lookup("ghcr.io", config: auth)
        #expect(none.credential == .anonymous && none.source == nil && none.loopbackAlias == nil)
    }

    @Test(arguments: [("127.0.0.1:5000", "localhost:5000"), ("localhost:5000", "127.0.0.1:5000"), ("[::1]:5000", "localhost:5000")])
    func noticesTheSameRegistryUnderAnotherLoopbackName(host: String, saved: String) throws {
        let found = try lookup(host, config: #"{"auths":{"https://\#(saved)/":{"auth":"dTpw"},"localhost:6000":{"auth":"dTpw"}}}"#)
        #expect(found.credential == .anonymous)
        #expect(found.loopbackAlias == saved)
        #expect(try lookup("127.0.0.1:7000", config: #"{"auths":{"localhost:5000":{"auth":"dTpw"}}}"#).loopbackAlias == nil)
        #expect(try lookup("example.com:5000", config: #"{"auths":{"localhost:5000":{"auth":"dTpw"}}}"#).loopbackAlias == nil)
    }
}
