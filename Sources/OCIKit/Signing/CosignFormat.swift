/// The names cosign gives its signature and attestation artifacts (sigstore/cosign `pkg/oci`): both are
/// images in the signed manifest's own repository, tagged after its digest.
public enum Cosign {
    public static let simpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
    public static let dsseMediaType = "application/vnd.dsse.envelope.v1+json"
    /// The layer annotation holding the base64 signature (empty on attestation layers, as cosign writes them).
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    /// The layer annotation naming an attestation's predicate type.
    public static let predicateTypeAnnotation = "predicateType"

    /// `sha256-HEX.sig`: where cosign looks for a manifest's signatures.
    public static func signatureTag(for digest: Digest) -> String { "\(digest.algorithm)-\(digest.encoded).sig" }
    /// `sha256-HEX.att`: where cosign looks for a manifest's attestations.
    public static func attestationTag(for digest: Digest) -> String { "\(digest.algorithm)-\(digest.encoded).att" }

    /// Whether a tag is one of cosign's (`.sig`, `.att`, `.sbom`), not an artifact's own.
    public static func isCosignTag(_ tag: String) -> Bool {
        tag.hasPrefix("sha256-") && (tag.hasSuffix(".sig") || tag.hasSuffix(".att") || tag.hasSuffix(".sbom"))
    }
}

/// cosign's "simple signing" payload: the claim that `dockerReference` names the image `manifestDigest`
/// (containers/image's signature format, as cosign writes it: `optional` is `null` when there are no extra claims).
public struct SimpleSigningPayload: Codable, Sendable, Equatable {
    public static let type = "cosign container image signature"

    public var dockerReference: String
    public var manifestDigest: String
    public var type: String

    public init(dockerReference: String, manifestDigest: Digest) {
        self.dockerReference = dockerReference
        self.manifestDigest = manifestDigest.string
        self.type = Self.type
    }

    private struct Critical: Codable {
        struct Identity: Codable {
            var dockerReference: String
            enum CodingKeys: String, CodingKey { case dockerReference = "docker-reference" }
        }
        struct Image: Codable {
            var dockerManifestDigest: String
            enum CodingKeys: String, CodingKey { case dockerManifestDigest = "docker-manifest-digest" }
        }
        var identity: Identity
        var image: Image
        var type: String
    }

    private enum CodingKeys: String, CodingKey { case critical, optional }

    public init(from decoder: any Decoder) throws {
        let critical = try decoder.container(keyedBy: CodingKeys.self).decode(Critical.self, forKey: .critical)
        dockerReference = critical.identity.dockerReference
        manifestDigest = critical.image.dockerManifestDigest
        type = critical.type
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Critical(identity: .init(dockerReference: dockerReference), image: .init(dockerManifestDigest: manifestDigest), type: type),
                             forKey: .critical)
        try container.encodeNil(forKey: .optional)
    }

    /// The exact bytes that are signed and stored as the layer.
    public func bytes() throws -> [UInt8] { try CanonicalJSON.encode(self) }
}
