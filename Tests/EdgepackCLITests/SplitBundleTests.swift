import Foundation
import Testing
import TestSupport
import OCIKit

/// `export --split`: parts of at most the size asked, whose concatenation is the unsplit bundle byte for byte;
/// `push`, `inspect --verify` and `export --since` read the parts as the bundle, and refuse a missing or damaged
/// part, naming it, before anything is written.
@Suite(.serialized) struct SplitBundleTests {
    static let partSize = 64 << 20

    @Test func aSplitBundleIsTheBundleInPartsAndIsCheckedBeforeUse() throws {
        let dir = try TemporaryDirectory()
        let definition = try randomModelPipeline(300_000_000, named: "split-pipeline", in: dir)
        let whole = try edgepack(["export", definition, "-o", dir.file("whole.tar"), "-q"])
        #expect(whole.succeeded, "\(whole.stderr)")
        try FileManager.default.createDirectory(atPath: dir.file("usb"), withIntermediateDirectories: true)
        let split = try edgepack(["export", definition, "-o", dir.file("usb/bundle.tar"), "--split", "64M"])
        #expect(split.succeeded, "\(split.stderr)")
        #expect(split.stdout.contains("in 5 parts (bundle.tar.000 to .004, listed in bundle.tar.parts.json)"), "\(split.stdout)")

        // Five parts of at most 64 MiB (all full but the last), the list, and nothing else (no temporary file).
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("usb")).sorted()
        #expect(names == (0..<5).map { "bundle.tar.00\($0)" } + ["bundle.tar.parts.json"])
        let sizes = try (0..<5).map { try FileStatus(path: dir.file("usb/bundle.tar.00\($0)")).size }
        #expect(sizes.allSatisfy { $0 <= Int64(Self.partSize) } && sizes.dropLast().allSatisfy { $0 == Int64(Self.partSize) }, "\(sizes)")

        // cat of the parts is the unsplit bundle, byte for byte, and skopeo reads an artifact from it.
        let joined = try run("sh", ["-c", "cat '\(dir.file("usb"))'/bundle.tar.0* > '\(dir.file("joined.tar"))' && cmp '\(dir.file("joined.tar"))' '\(dir.file("whole.tar"))'"])
        #expect(joined.succeeded, "\(joined.stdout)\(joined.stderr)")
        let list = try JSONDecoder().decode(SplitBundle.self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("usb/bundle.tar.parts.json"))))
        let wholeDigest = try run("sha256sum", [dir.file("whole.tar")]).stdout.prefix(64)
        #expect(list.sha256 == wholeDigest && list.size == sizes.reduce(0, +) && list.parts.map(\.size) == sizes)
        let pipeline = try #require(try ImageLayoutBundle(path: dir.file("whole.tar")).index.manifests
            .compactMap { $0.annotations?[AnnotationKey.refName] }.first { $0.hasPrefix("pipelines/") })
        let copied = try run("skopeo", ["copy", "oci-archive:\(dir.file("joined.tar")):\(pipeline)", "oci:\(dir.file("copied")):x"])
        #expect(copied.succeeded, "\(copied.stderr)")
        try FileManager.default.removeItem(atPath: dir.file("joined.tar"))

        // inspect --verify by the first part, the list or the bundle's own name.
        for name in ["bundle.tar.000", "bundle.tar.parts.json", "bundle.tar"] {
            let inspected = try edgepack(["inspect", dir.file("usb/\(name)"), "--verify"])
            #expect(inspected.succeeded && inspected.stdout.contains("all blobs verified") && inspected.stdout.contains(pipeline), "\(name): \(inspected.stderr)")
        }
        // export --since the split bundle: a delta leaving out every blob it carried.
        let delta = try edgepack(["export", definition, "-o", dir.file("delta.tar"), "--since", dir.file("usb/bundle.tar.000"), "-q"])
        #expect(delta.succeeded, "\(delta.stderr)")
        #expect(try FileStatus(path: dir.file("delta.tar")).size < 1 << 20)

        // A flipped byte in one part, then a part gone: push and inspect refuse in one line naming it, writing nothing.
        let part = dir.file("usb/bundle.tar.002")
        try flipByte(at: 12345, of: part)
        try expectRefused(dir, naming: "bundle.tar.002 is corrupt")
        try flipByte(at: 12345, of: part)
        try FileManager.default.moveItem(atPath: part, toPath: dir.file("set-aside"))
        try expectRefused(dir, naming: "bundle.tar.002 is missing")
        try FileManager.default.moveItem(atPath: dir.file("set-aside"), toPath: part)

        // The parts push like the bundle: the record printed, with the unsplit bundle's digests.
        let target = "\(registries.token)/split\(UUID().uuidString.prefix(6).lowercased())"
        let pushed = try edgepack(["push", dir.file("usb/bundle.tar.000"), "--registry", target, "--json"], environment: pusher)
        #expect(pushed.succeeded, "\(pushed.stderr)")
        let record = try JSONDecoder().decode(Record.self, from: Data(pushed.stdout.utf8))
        #expect(record.pipeline_url.hasPrefix(target + "/pipelines/split-pipeline:"))
        let direct = try edgepack(["push", dir.file("whole.tar"), "--registry", target, "--json"], environment: pusher)
        #expect(try JSONDecoder().decode(Record.self, from: Data(direct.stdout.utf8)).pipeline_digest == record.pipeline_digest)
    }

    @Test func verifyChecksASplitBundleNamedByItsFirstPartOrItsName() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir)
        try FileManager.default.createDirectory(atPath: dir.file("usb"), withIntermediateDirectories: true)
        let exported = try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("usb/bundle.tar"), "--split", "1M", "--sign-key", pair.privatePath, "-q"])
        #expect(exported.succeeded, "\(exported.stderr)")
        let first = try edgepack(["verify", dir.file("usb/bundle.tar.000"), "--key", pair.publicPath])
        #expect(first.succeeded && first.stdout.contains("pipelines/ccfraud-pipeline@"), "\(first.stderr)")
        let named = try edgepack(["verify", dir.file("usb/bundle.tar") + ":pipelines/ccfraud-pipeline:2c5968b7-62fa-49f8-9489-aaf84cfb80aa", "--key", pair.publicPath])
        #expect(named.succeeded && named.stdout == first.stdout, "\(named.stderr)")
        try flipByte(at: 600, of: dir.file("usb/bundle.tar.000"))
        let corrupt = try edgepack(["verify", dir.file("usb/bundle.tar.000"), "--key", pair.publicPath])
        #expect(corrupt.status == 1 && corrupt.stderr.split(separator: "\n").count == 1 && corrupt.stderr.contains("bundle.tar.000 is corrupt"), "\(corrupt.stderr)")
    }

    func flipByte(at offset: UInt64, of path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let byte = try #require(try handle.read(upToCount: 1)).first!
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data([byte ^ 0x01]))
    }

    /// push and inspect (with and without --verify) of the split bundle fail in one line with `message`, and the
    /// registry push was pointed at receives nothing.
    func expectRefused(_ dir: TemporaryDirectory, naming message: String) throws {
        let path = "refused\(UUID().uuidString.prefix(6).lowercased())"
        for arguments in [["push", dir.file("usb/bundle.tar.000"), "--registry", "\(registries.token)/\(path)"],
                          ["inspect", dir.file("usb/bundle.tar.000"), "--verify"], ["inspect", dir.file("usb/bundle.tar")]] {
            let result = try edgepack(arguments, environment: pusher)
            #expect(result.status == 1 && result.stdout.isEmpty, "\(arguments): \(result.stdout)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        var options = RegistryOptions()
        options.plainHTTP = true
        let reader = try RegistryClient.connect(host: registries.token, credential: .password(username: "reader", password: "reader-pass"), options: options)
        #expect(((try? reader.tags(of: Repository(unchecked: "\(path)/pipelines/split-pipeline"))) ?? []).isEmpty)
    }
}
