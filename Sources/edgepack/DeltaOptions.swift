import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// export --since / --site-inventory: a delta bundle, which leaves out the blobs its site already holds.
struct DeltaOptions: ParsableArguments {
    @Option(help: "Write a delta bundle for a site that was given this bundle (or split bundle): leave out the blobs it carried.", completion: .file(extensions: ["tar"]))
    var since: String?

    @Option(help: "Write a delta bundle for a site whose registry holds what this file (from 'edgepack inventory') lists.", completion: .file(extensions: ["json"]))
    var siteInventory: String?

    func validate() throws {
        if since != nil, siteInventory != nil { throw ValidationError("--since and --site-inventory both describe the site: pass one of them") }
    }

    /// The blobs to leave out of a bundle of `artifacts` (none without either option); `alsoCarrying` are kept.
    func omitted(from artifacts: [Artifact], alsoCarrying kept: Set<OCIKit.Digest> = []) throws -> Set<OCIKit.Digest> {
        let held: Set<OCIKit.Digest>
        if let since {
            held = try SiteContent.digests(sinceBundle: since)
        } else if let siteInventory {
            held = try SiteContent.digests(inventory: siteInventory)
        } else {
            return []
        }
        return SiteContent.omitted(from: artifacts, siteHolds: held).subtracting(kept)
    }
}

/// inspect: what a delta bundle leaves out, which the registry it is pushed into must already hold.
func deltaNote(_ layout: any ImageLayoutSource) throws -> String? {
    let absent = try layout.absentBlobs()
    guard !absent.isEmpty else { return nil }
    let size = absent.reduce(Int64(0)) { $0 + $1.size }
    let lines = absent.map { "  \($0.digest) \(ByteCount.format($0.size))" }
    return (["Delta bundle: it leaves out \(absent.count) blob\(absent.count == 1 ? "" : "s") (\(ByteCount.format(size))) that the registry it is pushed into must already hold:"] + lines).joined(separator: "\n")
}
