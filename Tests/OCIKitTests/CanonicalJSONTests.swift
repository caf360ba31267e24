import Testing
@testable import OCIKit

@Suite struct CanonicalJSONTests {
    @Test func keysAreSortedAndSlashesUnescaped() throws {
        let descriptor = Descriptor(
            mediaType: MediaType.imageManifest,
            digest: SHA256Hasher.digest([]),
            size: 2,
            annotations: ["z": "last", "a": "https://example.com/a/b"]
        )
        let text = String(decoding: try CanonicalJSON.encode(descriptor), as: UTF8.self)
        #expect(text == #"{"annotations":{"a":"https://example.com/a/b","z":"last"},"digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","mediaType":"application/vnd.oci.image.manifest.v1+json","size":2}"#)
    }

    @Test func blobDescriptorIsTakenOverTheExactBytes() throws {
        let manifest = Manifest(config: Descriptor(mediaType: MediaType.empty, digest: SHA256Hasher.digest(Array("{}".utf8)), size: 2), layers: [])
        let bytes = try CanonicalJSON.encode(manifest)
        let blob = Blob(mediaType: MediaType.imageManifest, bytes: bytes)
        #expect(blob.descriptor.digest == SHA256Hasher.digest(bytes))
        #expect(blob.descriptor.size == Int64(bytes.count))
        #expect(try CanonicalJSON.decode(Manifest.self, from: bytes, what: "manifest") == manifest)
    }

    @Test func equalValuesGiveEqualBytes() throws {
        let a = Index(manifests: [], annotations: ["b": "2", "a": "1"])
        var b = Index(manifests: [])
        b.annotations = ["a": "1"]
        b.annotations?["b"] = "2"
        #expect(try CanonicalJSON.encode(a) == CanonicalJSON.encode(b))
    }
}
