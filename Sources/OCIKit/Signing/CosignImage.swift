/// One layer of a cosign signature or attestation image: its descriptor (with cosign's annotations) and its
/// small payload, held in memory.
public struct CosignLayer: Sendable, Hashable {
    public var descriptor: Descriptor
    public var payload: [UInt8]

    public init(mediaType: String, payload: [UInt8], annotations: [String: String]) {
        self.payload = payload
        descriptor = Blob(mediaType: mediaType, bytes: payload, annotations: annotations).descriptor
    }

    init(descriptor: Descriptor, payload: [UInt8]) {
        self.descriptor = descriptor
        self.payload = payload
    }

    var blob: Blob { Blob(descriptor: descriptor, content: .bytes(payload)) }
}

/// The image cosign stores signatures and attestations in: an OCI manifest whose layers are the payloads, and
/// whose config is the image config go-containerregistry derives for such layers (`empty.Image` plus
/// appended layers: zero times, empty platform, one history entry and one diff ID per layer).
public enum CosignImage {
    public static func artifact(reference: String, layers: [CosignLayer]) throws -> Artifact {
        let config = Blob(mediaType: MediaType.imageConfig, bytes: configBytes(diffIDs: layers.map(\.descriptor.digest)))
        let manifest = Manifest(config: config.descriptor, layers: layers.map(\.descriptor))
        return try Artifact(reference: reference, manifest: manifest, config: config, layers: layers.map(\.blob))
    }

    /// The config bytes exactly as go-containerregistry writes them (its field order, not sorted).
    static func configBytes(diffIDs: [Digest]) -> [UInt8] {
        let zero = "0001-01-01T00:00:00Z"
        let history = diffIDs.map { _ in "{\"created\":\"\(zero)\"}" }.joined(separator: ",")
        let ids = diffIDs.map { "\"\($0.string)\"" }.joined(separator: ",")
        return Array("{\"architecture\":\"\",\"created\":\"\(zero)\",\"history\":[\(history)],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\(ids)]},\"config\":{}}".utf8)
    }
}
