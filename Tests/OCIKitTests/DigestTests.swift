import Testing
@testable import OCIKit

@Suite struct DigestTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownSHA256Vectors(input: String, hex: String) {
        #expect(SHA256Hasher.digest(Array(input.utf8)).string == "sha256:" + hex)
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let hasher = SHA256Hasher()
        for chunk in stride(from: 0, to: bytes.count, by: 4093) {
            hasher.update(Array(bytes[chunk..<min(chunk + 4093, bytes.count)]))
        }
        #expect(hasher.finalize() == SHA256Hasher.digest(bytes))
    }

    @Test func parsesValidDigests() throws {
        let digest = try Digest(parsing: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest.algorithm == "sha256")
        #expect(digest.encoded.count == 64)
    }

    @Test(arguments: [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0c442",
        "sha256:zzb0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        ":abc",
    ])
    func rejectsInvalidDigests(text: String) {
        #expect(throws: OCIError.self) { try Digest(parsing: text) }
    }

    @Test func sha1MatchesKnownVector() {
        #expect(Hex.encode(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }
}
