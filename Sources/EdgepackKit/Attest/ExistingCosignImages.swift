import OCIKit

/// Cosign images already stored for a build's artifacts, kept and added to: in the registry written to (a
/// publish or push again) and in a bundle being pushed. Signatures are never dropped; the signing key
/// countersigns attestations only from a bundle (the user's) or when it made the same statement itself, never
/// foreign ones found in the destination (hostile until verified).
public struct ExistingCosignImages: Sendable {
    public struct Place: Sendable {
        public var source: any ReferenceSource
        /// How the source names a repository relative to the registry layout: "" for a bundle, the path under
        /// the host for a registry (`acme/edge`).
        public var prefixPath: String
        /// The place being written to: what it holds already need not be written again.
        public var isDestination: Bool

        func path(of repository: String) -> String {
            Repository(unchecked: prefixPath).appending(repository).path
        }
    }

    public var places: [Place]

    /// Images carried in from `source` (a bundle being pushed).
    public init(source: any ReferenceSource, prefixPath: String = "") {
        places = [Place(source: source, prefixPath: prefixPath, isDestination: false)]
    }

    /// The registry being written to, and what a bundle being pushed there carries.
    public init(destination: any ReferenceSource, prefixPath: String, carried: (any ReferenceSource)? = nil) {
        places = [Place(source: destination, prefixPath: prefixPath, isDestination: true)]
            + (carried.map { [Place(source: $0, prefixPath: "", isDestination: false)] } ?? [])
    }

    /// The layers of a `.sig` or `.att` image found in one place.
    public struct Found: Sendable {
        public var place: Place
        public var layers: [CosignLayer]
    }

    /// The layers at `tag` in each place that has that tag (the destination first).
    func layers(tag: String, in repository: String, where include: (Place) -> Bool = { _ in true }) throws -> [Found] {
        try places.filter(include).compactMap { place in
            try place.source.cosignLayers(tag: tag, in: place.path(of: repository)).map { Found(place: place, layers: $0) }
        }
    }

    /// True when the place written to holds at `tag` exactly `artifact` (by digest: one request, nothing read)
    /// and no other place has anything at that tag.
    func destinationHoldsOnly(_ artifact: Artifact, tag: String, in repository: String) throws -> Bool {
        guard let destination = places.first(where: \.isDestination),
              try layers(tag: tag, in: repository, where: { !$0.isDestination }).isEmpty else { return false }
        return try destination.source.taggedDigest(tag, in: destination.path(of: repository)) == artifact.manifestBlob.descriptor.digest
    }
}

/// What a build's signing kept and added, for a note to the user.
public struct CosignChanges: Sendable, Equatable {
    /// Signature layers found beside the build's manifests, and on how many manifests (none looked up when
    /// nothing could be added: no key and nothing carried in).
    public var keptSignatures = 0, signedManifests = 0
    /// Signatures this run's key added.
    public var addedSignatures = 0
    /// Attestation layers found beside the pipeline, and how many of them carry a signature.
    public var keptAttestations = 0, signedAttestations = 0
}
