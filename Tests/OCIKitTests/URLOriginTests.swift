import Foundation
import Testing
@testable import OCIKit

@Suite struct URLOriginTests {
    @Test func anOriginIsSchemeHostAndPortParsedNotSearchedFor() throws {
        let registry = try #require(URLOrigin("http://127.0.0.1:5000/v2/a/blobs/sha256:1"))
        #expect(registry == URLOrigin("HTTP://127.0.0.1:5000/other?x=1"))
        // The registry's URL later in the string (the host after the last "://") is not where the request goes.
        let lookalike = try #require(URLOrigin("http://127.0.0.1:6000/?x=http://127.0.0.1:5000/v2/a"))
        #expect(lookalike != registry && lookalike.description == "127.0.0.1:6000")
        #expect(URLOrigin("http://evil.example/?x=http://127.0.0.1:5000/") != registry)
        // Port, scheme and host each count; default ports are spelled out.
        #expect(URLOrigin("http://127.0.0.1:5001/v2/") != registry)
        #expect(URLOrigin("https://127.0.0.1:5000/v2/") != registry)
        #expect(URLOrigin("https://registry.example/v2/") == URLOrigin("https://Registry.Example:443/x"))
        #expect(URLOrigin("http://registry.example/v2/") == URLOrigin("http://registry.example:80/"))
        #expect(URLOrigin("http://user:pw@127.0.0.1:6000/")?.description == "127.0.0.1:6000")
        #expect(URLOrigin("http://[::1]:5000/v2/")?.description == "[::1]:5000")
        #expect(URLOrigin("http://[::1]:5000/v2/")?.isLoopback == true && URLOrigin("http://0.0.0.0:5000/")?.isLoopback == false)
        for notHTTP in ["file:///etc/passwd", "ftp://127.0.0.1:5000/", "/v2/a", "//127.0.0.1:5000/v2/", ""] {
            #expect(URLOrigin(notHTTP) == nil, "\(notHTTP)")
        }
    }

    @Test func locationsResolveAgainstTheRequestTheyAnswer() {
        let base = "http://127.0.0.1:5000/v2/a/blobs/uploads/"
        #expect(URLOrigin.resolve("/v2/a/blobs/uploads/1?_state=x=", against: base) == "http://127.0.0.1:5000/v2/a/blobs/uploads/1?_state=x=")
        #expect(URLOrigin.resolve("2", against: base) == "http://127.0.0.1:5000/v2/a/blobs/uploads/2")
        #expect(URLOrigin.resolve("https://storage.example/x?sig=1", against: base) == "https://storage.example/x?sig=1")
        // Scheme-relative: another host, however it is spelled.
        #expect(URLOrigin(URLOrigin.resolve("//127.0.0.1:6000/x", against: base)) == URLOrigin("http://127.0.0.1:6000/"))
    }

    @Test func aRequestIsNamedByWhatItAsksFor() {
        let base = "http://127.0.0.1:5000/v2/edge/pipelines/p"
        #expect(RequestSubject.describe("\(base)/manifests/v1") == "manifest edge/pipelines/p:v1")
        #expect(RequestSubject.describe("\(base)/manifests/sha256:ab") == "manifest edge/pipelines/p@sha256:ab")
        #expect(RequestSubject.describe("\(base)/blobs/sha256:ab") == "blob sha256:ab of edge/pipelines/p")
        #expect(RequestSubject.describe("\(base)/blobs/uploads/1?_state=x") == "the upload session of edge/pipelines/p")
        #expect(RequestSubject.describe("\(base)/tags/list?n=1000") == "the tag list of edge/pipelines/p")
        #expect(RequestSubject.describe("http://127.0.0.1:5000/v2/") == "the API check (/v2/)")
    }
}
