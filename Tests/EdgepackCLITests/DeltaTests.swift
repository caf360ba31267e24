import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct DeltaTests {
    struct Pushed: Decodable {
        struct Model: Decodable, Equatable { var name: String; var digest: String }
        struct Helm: Decodable { var reference: String }
        var pipeline_digest: String
        var models: [Model]
        var helm: Helm
    }

    func push(_ bundle: String, _ registry: String) throws -> (ProcessResult, Pushed?) {
        let result = try edgepack(["push", bundle, "--registry", registry, "--json", "-q"], environment: pusher)
        return (result, result.succeeded ? try JSONDecoder().decode(Pushed.self, from: Data(result.stdout.utf8)) : nil)
    }

    func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    @Test func aDeltaBundleCarriesTheChangedModelAndPushesOnlyWhereTheRestIs() throws {
        let dir = try TemporaryDirectory()
        let model = 3 << 20
        let definition = try randomModelsPipeline([model, model, model], named: "delta", in: dir)
        #expect(try edgepack(["export", definition, "-o", dir.file("v1.tar")]).succeeded)
        try writeRandomModel(dir.file("models/m1.bin"), bytes: model)
        let export = try edgepack(["export", definition, "-o", dir.file("v2-delta.tar"), "--since", dir.file("v1.tar")])
        #expect(export.succeeded, "\(export.stderr)")
        #expect(try edgepack(["export", definition, "-o", dir.file("v2-full.tar")]).succeeded)
        let deltaSize = try size(dir.file("v2-delta.tar"))
        #expect(deltaSize <= model + (1 << 20), "the delta is \(deltaSize) bytes")
        #expect(try size(dir.file("v2-full.tar")) > 3 * model)

        let inspect = try edgepack(["inspect", dir.file("v2-delta.tar")])
        #expect(inspect.succeeded && inspect.stdout.contains("Delta bundle: it leaves out 2 blobs"), "\(inspect.stdout)\(inspect.stderr)")
        let verified = try edgepack(["inspect", dir.file("v2-delta.tar"), "--verify"])
        #expect(verified.succeeded && verified.stdout.contains("all blobs verified"), "\(verified.stderr)")

        // The site got v1; the delta brings it to v2, exactly as a full push of v2 does elsewhere.
        let site = "\(registries.token)/site\(UUID().uuidString.prefix(6).lowercased())"
        let elsewhere = "\(registries.token)/full\(UUID().uuidString.prefix(6).lowercased())"
        #expect(try push(dir.file("v1.tar"), site).0.succeeded)
        let (deltaPush, viaDelta) = try push(dir.file("v2-delta.tar"), site)
        #expect(deltaPush.succeeded, "\(deltaPush.stderr)")
        let (_, viaFull) = try push(dir.file("v2-full.tar"), elsewhere)
        let delta = try #require(viaDelta), full = try #require(viaFull)
        #expect(delta.pipeline_digest == full.pipeline_digest && delta.models == full.models)
        // The chart and compose name their registry, so the same full push into the site itself is the check: it
        // finds everything already there, under the same digests.
        let fullAtSite = try edgepack(["push", dir.file("v2-full.tar"), "--registry", site, "--json"], environment: pusher)
        #expect(fullAtSite.succeeded && fullAtSite.stderr.contains("uploaded 0 blobs (0 B)"), "\(fullAtSite.stderr)")
        let again = try JSONDecoder().decode(Pushed.self, from: Data(fullAtSite.stdout.utf8))
        #expect(again.helm.reference == delta.helm.reference && again.pipeline_digest == delta.pipeline_digest)

        // Into a registry that has none of it: refused, naming what is missing, and nothing tagged.
        let empty = "\(registries.token)/empty\(UUID().uuidString.prefix(6).lowercased())"
        let (refused, _) = try push(dir.file("v2-delta.tar"), empty)
        #expect(!refused.succeeded)
        #expect(refused.stderr.contains("lacks 2 blobs") && refused.stderr.contains("sha256:"), "\(refused.stderr)")
        let listing = try edgepack(["publishes", "delta", "--registry", empty], environment: pusher)
        #expect(listing.status == 1 && listing.stderr.contains("no publishes of delta in \(empty)"), "\(listing.stderr)")
        for repository in ["pipelines/delta", "models/m0", "models/m1", "compose/delta", "charts/delta"] {
            let tags = try run("skopeo", ["list-tags", "--creds", "edgepack:edgepack-pass", "--tls-verify=false", "docker://\(empty)/\(repository)"])
            #expect(!tags.succeeded || !tags.stdout.contains("\"Tags\": [\n        \""), "\(repository): \(tags.stdout)")
        }
    }

    @Test func aSiteInventoryMakesTheSameDelta() throws {
        let dir = try TemporaryDirectory()
        let definition = try randomModelsPipeline([1 << 20, 1 << 20, 1 << 20], named: "inventoried", in: dir)
        let site = "\(registries.token)/inv\(UUID().uuidString.prefix(6).lowercased())"
        #expect(try edgepack(["export", definition, "-o", dir.file("v1.tar")]).succeeded)
        #expect(try push(dir.file("v1.tar"), site).0.succeeded)
        let inventory = try edgepack(["inventory", "inventoried", "--registry", site, "-o", dir.file("site.json")], environment: pusher)
        #expect(inventory.succeeded, "\(inventory.stderr)")
        try writeRandomModel(dir.file("models/m2.bin"), bytes: 1 << 20)
        let export = try edgepack(["export", definition, "-o", dir.file("v2.tar"), "--site-inventory", dir.file("site.json")])
        #expect(export.succeeded, "\(export.stderr)")
        let deltaSize = try size(dir.file("v2.tar"))
        #expect(deltaSize <= (2 << 20), "the delta is \(deltaSize) bytes")
        let (pushed, _) = try push(dir.file("v2.tar"), site)
        #expect(pushed.succeeded, "\(pushed.stderr)")
        // Without pipeline names: the registry's catalog, where it lists one (the basic-auth registry does; the
        // token registry's token service grants it only to accounts that may push, so a reader is asked for names).
        let listed = "\(registries.basic)/cat\(UUID().uuidString.prefix(6).lowercased())"
        #expect(try push(dir.file("v1.tar"), listed).0.succeeded)
        let catalog = try edgepack(["inventory", "--registry", listed, "-o", dir.file("catalog.json")], environment: pusher)
        #expect(catalog.succeeded && catalog.stdout.contains(": 6 repositories"), "\(catalog.stdout)\(catalog.stderr)")
        let unlisted = try edgepack(["inventory", "--registry", site, "-o", dir.file("none.json")], environment: ["OCI_USERNAME": "reader", "OCI_PASSWORD": "reader-pass"])
        #expect(!unlisted.succeeded && unlisted.stderr.contains("name the pipelines to inventory"), "\(unlisted.stderr)")
        let both = try edgepack(["export", definition, "-o", dir.file("x.tar"), "--since", dir.file("v1.tar"), "--site-inventory", dir.file("site.json")])
        #expect(both.status == 64, "\(both.stderr)")
    }
}
