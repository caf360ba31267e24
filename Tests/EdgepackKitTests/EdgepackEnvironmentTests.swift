import Foundation
import Testing
import TestSupport
import OCIKit
@testable import EdgepackKit

@Suite struct EdgepackEnvironmentTests {
    @Test func theCacheFolderFollowsTheEnvironment() {
        #expect(EdgepackEnvironment(["EDGEPACK_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"]).cacheDirectory == "/c")
        #expect(EdgepackEnvironment(["XDG_CACHE_HOME": "/x", "HOME": "/h"]).cacheDirectory == "/x/edgepack")
        #expect(EdgepackEnvironment(["HOME": "/h"]).cacheDirectory == "/h/.cache/edgepack")
        let environment = EdgepackEnvironment(["EDGEPACK_CACHE_DIR": "/c"])
        #expect([environment.digestCacheLocation, environment.blobCacheDirectory, environment.uploadSessionsDirectory,
                 environment.partialDownloadsDirectory] == ["/c/digests", "/c/blobs", "/c/uploads", "/c/downloads"])
    }

    @Test func edgepacksVariablesComeFirstAndImageSourcesHaveTheirOwn() throws {
        let variables = ["EDGEPACK_USERNAME": "a", "EDGEPACK_PASSWORD": "b", "OCI_USERNAME": "c", "OCI_PASSWORD": "d",
                         "EDGEPACK_SOURCE_USERNAME": "s", "EDGEPACK_SOURCE_PASSWORD": "t", "DOCKER_CONFIG": "/nonexistent"]
        let credentials = EdgepackEnvironment(variables).credentials()
        #expect(try credentials.credential(for: "x") == .password(username: "a", password: "b"))
        #expect(try credentials.sourceCredential(for: "x") == .password(username: "s", password: "t"))
        let oci = EdgepackEnvironment(["OCI_USERNAME": "c", "OCI_PASSWORD": "d", "DOCKER_CONFIG": "/nonexistent"]).credentials()
        #expect(try oci.credential(for: "x") == .password(username: "c", password: "d"))
        #expect(try oci.sourceCredential(for: "x") == .anonymous)
    }

    @Test func traceAndClientIDAreEdgepacks() {
        #expect(EdgepackEnvironment(["EDGEPACK_TRACE": "1"]).registryOptions().transport.trace != nil)
        #expect(EdgepackEnvironment([:]).registryOptions().transport.trace == nil)
        #expect(EdgepackEnvironment([:]).registryOptions().clientID == "edgepack")
    }
}
