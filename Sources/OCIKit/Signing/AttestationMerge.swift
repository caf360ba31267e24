/// Merges the attestation layers found in several places (the registry written to, a bundle carried in) with
/// newly made ones, losing no signature:
/// - envelopes with the same payload become one envelope holding every signature any of them carries;
/// - a key countersigns only envelopes it may vouch for: those from a place the user brings (a bundle being
///   pushed) and those whose statement it made itself, never statements found only in the registry written to
///   (hostile until verified);
/// - a made statement replaces unsigned earlier ones of its type and goes beside signed ones; unsigned itself
///   (no key), it is not added beside signed ones.
/// Layers keep their first order, and their bytes unless their signatures changed; new ones are appended.
public struct AttestationMerge {
    public struct Source: Sendable {
        public var layers: [CosignLayer]
        /// Whether the signing key may add its signature to these envelopes.
        public var mayCountersign: Bool

        public init(layers: [CosignLayer], mayCountersign: Bool) {
            self.layers = layers
            self.mayCountersign = mayCountersign
        }
    }

    private struct Entry {
        var layer: CosignLayer
        /// nil for a layer that is not a readable DSSE envelope (kept as it is).
        var envelope: DSSEEnvelope?
        var signaturesAdded = false
        var mayCountersign: Bool
        var predicateType: String? { layer.descriptor.annotations?[Cosign.predicateTypeAnnotation] }
    }

    private var entries: [Entry] = []

    public init() {}

    public mutating func add(_ source: Source) throws {
        for layer in source.layers {
            let envelope = layer.descriptor.mediaType == Cosign.dsseMediaType
                ? try? CanonicalJSON.decode(DSSEEnvelope.self, from: layer.payload, what: "an attestation") : nil
            if let envelope, let index = entries.firstIndex(where: { $0.envelope?.states(envelope) == true }) {
                merge(envelope, into: index, mayCountersign: source.mayCountersign)
            } else if !entries.contains(where: { $0.layer == layer }) {
                entries.append(Entry(layer: layer, envelope: envelope, mayCountersign: source.mayCountersign))
            } else if source.mayCountersign, let index = entries.firstIndex(where: { $0.layer == layer }) {
                entries[index].mayCountersign = true
            }
        }
    }

    /// A statement this run made (`signed`: with the key that will countersign).
    public mutating func add(made envelope: DSSEEnvelope, predicateType: String, signed: Bool) throws {
        if let index = entries.firstIndex(where: { $0.envelope?.states(envelope) == true }) {
            // The same statement is there: the key countersigns it if it has not already (a second signature
            // by the same key would change the layer for nothing: ECDSA signatures differ run to run).
            entries[index].mayCountersign = true
            return
        }
        let sameType = { (entry: Entry) in entry.envelope != nil && entry.predicateType == predicateType }
        if !signed && entries.contains(where: { sameType($0) && $0.envelope?.signatures.isEmpty == false }) { return }
        entries.removeAll { sameType($0) && $0.envelope?.signatures.isEmpty == true }
        let layer = CosignLayer(mediaType: Cosign.dsseMediaType, payload: try envelope.bytes(),
                                annotations: [Cosign.signatureAnnotation: "", Cosign.predicateTypeAnnotation: predicateType])
        entries.append(Entry(layer: layer, envelope: envelope, mayCountersign: true))
    }

    /// The merged layers, with `key`'s signature added to every envelope it may vouch for.
    public func layers(countersigningWith key: SigningKey?) throws -> [CosignLayer] {
        try entries.map { entry in
            guard var envelope = entry.envelope else { return entry.layer }
            if let key, entry.mayCountersign { envelope = try envelope.countersigned(by: key) }
            guard entry.signaturesAdded || envelope != entry.envelope else { return entry.layer }
            return CosignLayer(mediaType: Cosign.dsseMediaType, payload: try envelope.bytes(), annotations: entry.layer.descriptor.annotations ?? [:])
        }
    }

    /// The predicate types of the envelopes among `layers` that `key` signed, sorted, each once.
    public static func predicateTypes(in layers: [CosignLayer], signedBy key: VerificationKey) -> [String] {
        Set(layers.compactMap { layer -> String? in
            guard layer.descriptor.mediaType == Cosign.dsseMediaType,
                  let envelope = try? CanonicalJSON.decode(DSSEEnvelope.self, from: layer.payload, what: "an attestation"),
                  envelope.isSigned(by: key) else { return nil }
            return layer.descriptor.annotations?[Cosign.predicateTypeAnnotation]
        }).sorted()
    }

    private mutating func merge(_ envelope: DSSEEnvelope, into index: Int, mayCountersign: Bool) {
        if mayCountersign { entries[index].mayCountersign = true }
        for signature in envelope.signatures where entries[index].envelope?.signatures.contains(signature) == false {
            entries[index].envelope?.signatures.append(signature)
            entries[index].signaturesAdded = true
        }
    }
}

extension DSSEEnvelope {
    /// Whether both envelopes carry the same statement (whoever signed it).
    func states(_ other: DSSEEnvelope) -> Bool { payloadType == other.payloadType && payload == other.payload }
}
