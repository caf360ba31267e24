/// The names cosign gives its signature and attestation artifacts (sigstore/cosign `pkg/oci`): both are
/// images in the signed manifest's own repository, tagged after its digest.
public enum Cosign {
    public static let simpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
    public static let dsseMediaType = "application/vnd.dsse.envelope.v1+json"
    /// The layer annotation holding the base64 signature (empty on attestation layers, as cosign writes them).
    public static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    /// The layer annotation naming an attestation's predicate type.
    public static let predicateTypeAnnotation = "predicateType"
    /// The signed claim (in a simple-signing payload's `optional`) listing the predicate types of the attestations
    /// the same key attached, space-separated: a verifier then knows what an attacker may have stripped.
    public static let attestationsClaim = "dev.edgepack/attestations"

    /// Bounds on a `.sig` or `.att` image read from elsewhere (a signature payload is under 1 KiB, an SBOM of
    /// hundreds of models a few hundred KiB).
    public static let maximumLayers = 256
    public static let maximumLayerSize: Int64 = 8 << 20

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
/// (containers/image's signature format, as cosign writes it: `optional` is `null` when there are no extra claims,
/// else string claims, as `cosign sign -a KEY=VALUE` writes them).
public struct SimpleSigningPayload: Codable, Sendable, Equatable {
    public static let type = "cosign container image signature"

    public var dockerReference: String
    public var manifestDigest: String
    public var type: String
    /// Extra claims; only string values are read (cosign's annotations): a payload with others has none here.
    public var optional: [String: String]

    public init(dockerReference: String, manifestDigest: Digest, optional: [String: String] = [:]) {
        self.dockerReference = dockerReference
        self.manifestDigest = manifestDigest.string
        self.type = Self.type
        self.optional = optional
    }

    /// The predicate types the signer says it attested with the same key (none when it does not say).
    public var attestedPredicateTypes: [String] {
        optional[Cosign.attestationsClaim].map { $0.split(separator: " ").map(String.init) } ?? []
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
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let critical = try container.decode(Critical.self, forKey: .critical)
        dockerReference = critical.identity.dockerReference
        manifestDigest = critical.image.dockerManifestDigest
        type = critical.type
        optional = (try? container.decodeIfPresent([String: String].self, forKey: .optional)) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Critical(identity: .init(dockerReference: dockerReference), image: .init(dockerManifestDigest: manifestDigest), type: type),
                             forKey: .critical)
        if optional.isEmpty { try container.encodeNil(forKey: .optional) } else { try container.encode(optional, forKey: .optional) }
    }

    /// The exact bytes that are signed and stored as the layer.
    public func bytes() throws -> [UInt8] { try CanonicalJSON.encode(self) }
}
