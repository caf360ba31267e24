import Foundation
import Testing
import TestSupport
import OCIKit

/// References printed by `build`/`export`: lines of `REFERENCE DIGEST`.
func printedReferences(_ output: String) -> [String] {
    output.split(separator: "\n").compactMap { line in
        let parts = line.split(separator: " ")
        return parts.count == 2 && parts[1].hasPrefix("sha256:") ? String(parts[0]) : nil
    }
}

let fixtures = ["ccfraud/edgepack.yaml", "vgg16-clustering/edgepack.yaml", "ccfraud/every-step.yaml"]

@Suite(.serialized) struct BuildAndExportTests {
    @Test(arguments: fixtures)
    func skopeoReadsEveryArtifactOfTheLayout(definition: String) throws {
        let dir = try TemporaryDirectory()
        let layout = dir.file("layout")
        let result = try edgepack(["build", fixture(definition), "-o", layout])
        #expect(result.succeeded, "\(result.stderr)")
        let references = printedReferences(result.stdout)
        #expect(references.count >= 2)
        for reference in references {
            let manifest = try run("skopeo", ["inspect", "--raw", "oci:\(layout):\(reference)"])
            #expect(manifest.succeeded, "\(reference): \(manifest.stderr)")
            #expect(manifest.stdout.contains("\"artifactType\""))
            #expect(try run("skopeo", ["inspect", "--config", "--raw", "oci:\(layout):\(reference)"]).succeeded)
            // A copy re-reads and checks every blob digest.
            let copy = try run("skopeo", ["copy", "oci:\(layout):\(reference)", "oci:\(dir.file("copy")):\(reference)"])
            #expect(copy.succeeded, "\(reference): \(copy.stderr)")
        }
        let schemas = try run(repositoryRoot + "/scripts/check-oci-schemas", [layout])
        #expect(schemas.status == 0, "the repository's own schema copies: \(schemas.stdout)\(schemas.stderr)")
        let modelpack = try run(repositoryRoot + "/scripts/check-modelpack", [layout])
        #expect(modelpack.status == 0, "\(modelpack.stdout)\(modelpack.stderr)")
    }

    @Test(arguments: fixtures)
    func skopeoCopiesEveryArtifactOutOfTheBundle(definition: String) throws {
        let dir = try TemporaryDirectory()
        let bundle = dir.file("bundle.tar")
        let result = try edgepack(["export", fixture(definition), "-o", bundle])
        #expect(result.succeeded, "\(result.stderr)")
        let references = printedReferences(result.stdout)
        for reference in references {
            let copy = try run("skopeo", ["copy", "oci-archive:\(bundle):\(reference)", "oci:\(dir.file("out")):\(reference)"])
            #expect(copy.succeeded, "\(reference): \(copy.stderr)")
        }
        let listing = try edgepack(["inspect", bundle, "--verify"])
        #expect(listing.succeeded, "\(listing.stderr)")
        for reference in references { #expect(listing.stdout.contains(reference)) }
        #expect(listing.stdout.contains("pipeline") && listing.stdout.contains("model"))
    }

    @Test func exportIsByteIdenticalAcrossRunsAndCheckouts() throws {
        let one = try TemporaryDirectory("checkout-1"), two = try TemporaryDirectory("checkout-2")
        let a = try copyFixture("ccfraud", into: one), b = try copyFixture("ccfraud", into: two)
        #expect(try edgepack(["export", a + "/edgepack.yaml", "-o", one.file("1.tar")]).succeeded)
        #expect(try edgepack(["export", a + "/edgepack.yaml", "-o", one.file("2.tar"), "--no-cache"]).succeeded)
        // Relative paths, run from elsewhere: nothing of the checkout's location may leak in.
        #expect(try edgepack(["export", "edgepack.yaml", "-o", "../3.tar"], directory: b).succeeded)
        #expect(FileManager.default.contentsEqual(atPath: one.file("1.tar"), andPath: one.file("2.tar")))
        #expect(FileManager.default.contentsEqual(atPath: one.file("1.tar"), andPath: two.file("3.tar")))
    }

    @Test func sourceDateEpochSetsTimestamps() throws {
        let dir = try TemporaryDirectory()
        #expect(try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("b.tar")], environment: ["SOURCE_DATE_EPOCH": "1700000000"]).succeeded)
        let listing = try run("bsdtar", ["-tvf", dir.file("b.tar")]).stdout
        #expect(listing.contains("Nov 14  2023 index.json"))
        let contents = try ImageLayoutBundle(path: dir.file("b.tar"))
        let pipeline = try #require(contents.index.manifests.first { $0.annotations?[AnnotationKey.refName]?.hasPrefix("pipelines/") == true })
        #expect(try contents.manifest(pipeline.digest).annotations?[AnnotationKey.created] == "2023-11-14T22:13:20Z")
    }

    @Test func rebuildingIntoTheSameLayoutWritesNothingNew() throws {
        let dir = try TemporaryDirectory()
        #expect(try edgepack(["build", fixture("vgg16-clustering/edgepack.yaml"), "-o", dir.file("layout")]).succeeded)
        let again = try edgepack(["build", fixture("vgg16-clustering/edgepack.yaml"), "-o", dir.file("layout")])
        #expect(again.stdout.contains("(0 new blobs)"), "\(again.stdout)")
    }
}

/// The bytes edgepack writes for the fixtures, pinned: a change to any artifact, to the bundle's tar or to the
/// layout's index shows up here, and must be deliberate (update the pins and say why in the commit).
@Suite struct PinnedOutputTests {
    static let pins: [String: (bundle: String, layoutIndex: String)] = [
        "ccfraud": ("3224fcc0f299448651ec503aac4b750ee15fd10f1a12f18947e8991bdb328370", "57ccf57b867e58a5dd53e7e1352bfa616a25111fdd50487eeb2afd527508176d"),
        "vgg16-clustering": ("189c0f01a19e7e0aad923d5f00315d45d3703337bf9859aade0253c04b0df5a9", "ddc31497e63e21d50cdcace1952e8d9515057ca86853ea28bdebf3e85f13f4c1"),
    ]

    @Test(arguments: ["ccfraud", "vgg16-clustering"])
    func bundleAndLayoutBytesArePinned(fixture name: String) throws {
        let dir = try TemporaryDirectory()
        let definition = fixture("\(name)/edgepack.yaml")
        let export = try edgepack(["export", definition, "-o", dir.file("bundle.tar"), "--no-attest"], environment: ["SOURCE_DATE_EPOCH": ""])
        #expect(export.succeeded, "\(export.stderr)")
        let build = try edgepack(["build", definition, "-o", dir.file("layout")], environment: ["SOURCE_DATE_EPOCH": ""])
        #expect(build.succeeded, "\(build.stderr)")
        let sums = try run("sha256sum", [dir.file("bundle.tar"), dir.file("layout/index.json")]).stdout.split(separator: "\n").map { String($0.prefix(64)) }
        #expect(sums == [Self.pins[name]!.bundle, Self.pins[name]!.layoutIndex])
    }
}
