import OCIKit

/// The vendor's signatures of the release's images, carried with them: read as one more place signatures are
/// carried in from (`ExistingCosignImages`), so that edgepack's own signature of a mirrored engine goes beside
/// the vendor's, never over it, and the destination's are kept too.
struct UpstreamSignatureSource: ReferenceSource {
    /// By the image's repository relative to the prefix (`engine`, `sidekicks/MODEL`).
    let signatures: [String: UpstreamSignatures]

    init(_ images: [PipelineImage]) {
        signatures = Dictionary(images.filter { !$0.signatures.isEmpty }.map { ($0.repository, $0.signatures) }) { first, _ in first }
    }

    var isEmpty: Bool { signatures.isEmpty }

    func manifest(_ reference: String, in repository: String) throws -> Blob? {
        guard let layers = signatures[repository]?.layers(tag: reference) else { return nil }
        return try CosignImage.artifact(reference: "\(repository):\(reference)", layers: layers).manifestBlob
    }

    func smallBlob(_ descriptor: Descriptor, in repository: String) throws -> [UInt8] {
        let layers = signatures[repository]?.images.flatMap(\.layers) ?? []
        guard let layer = layers.first(where: { $0.descriptor.digest == descriptor.digest }) else {
            throw OCIError(.notFound, "\(displayName(repository)): no blob \(descriptor.digest)")
        }
        return layer.payload
    }

    func checkBlob(_ descriptor: Descriptor, in repository: String) throws -> Bool {
        (try? smallBlob(descriptor, in: repository)) != nil
    }

    func displayName(_ repository: String) -> String { "the source of \(repository)" }
}

extension ExistingCosignImages {
    init(places: [Place]) { self.places = places }

    /// These places and the images' upstream signatures (nil when there are neither).
    static func adding(_ images: [PipelineImage], to existing: ExistingCosignImages?) -> ExistingCosignImages? {
        let upstream = UpstreamSignatureSource(images)
        guard !upstream.isEmpty else { return existing }
        return ExistingCosignImages(places: (existing?.places ?? []) + [Place(source: upstream, prefixPath: "", isDestination: false)])
    }
}

extension SupplyChain {
    /// The images' upstream cosign images that `signatures(for:)` does not write (it writes the `.sig` of each
    /// manifest it signs): attestations, SBOMs, and the signatures of an index's platform manifests. Each is
    /// merged with what the destination holds at its tag (nothing dropped, nothing countersigned) and written
    /// only when that changes it.
    func upstreamAttachments(of images: [PipelineImage], besides signed: [SignedManifest]) throws -> [Artifact] {
        let written = Set(signed.map { "\($0.repository):\(Cosign.signatureTag(for: $0.digest))" })
        return try images.flatMap { image in
            try image.signatures.images.compactMap { upstream -> Artifact? in
                let reference = "\(image.repository):\(upstream.tag)"
                guard !written.contains(reference) else { return nil }
                let found = try existing?.layers(tag: upstream.tag, in: image.repository) ?? []
                var merge = AttestationMerge()
                for place in found { try merge.add(.init(layers: place.layers, mayCountersign: false)) }
                return Self.unlessHeld(try CosignImage.artifact(reference: reference, layers: try merge.layers(countersigningWith: nil)), found)
            }
        }
    }
}
