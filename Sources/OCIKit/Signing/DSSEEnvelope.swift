import Foundation

/// A DSSE envelope (secure-systems-lab/dsse v1): a payload and its type, signed over the pre-authentication
/// encoding `DSSEv1 LEN(type) type LEN(body) body`. Without a key it carries no signatures.
public struct DSSEEnvelope: Codable, Sendable, Equatable {
    public static let inTotoPayloadType = "application/vnd.in-toto+json"

    public struct Signature: Codable, Sendable, Equatable {
        public var keyid: String
        public var sig: String
    }

    public var payloadType: String
    /// The payload, base64.
    public var payload: String
    public var signatures: [Signature]

    public init(payload: [UInt8], payloadType: String = Self.inTotoPayloadType, key: SigningKey?) throws {
        self.payloadType = payloadType
        self.payload = Data(payload).base64EncodedString()
        signatures = []
        if let key {
            signatures = [Signature(keyid: key.publicKey.keyID, sig: try key.signBase64(Self.pae(payloadType, payload)))]
        }
    }

    /// The pre-authentication encoding that is signed.
    public static func pae(_ type: String, _ body: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(type.utf8.count) \(type) \(body.count) ".utf8) + body
    }

    public var payloadBytes: [UInt8]? { Data(base64Encoded: payload).map(Array.init) }

    /// Whether one of the signatures is `key`'s over this payload.
    public func isSigned(by key: VerificationKey) -> Bool {
        guard let body = payloadBytes else { return false }
        let message = Self.pae(payloadType, body)
        return signatures.contains { key.verify(base64Signature: $0.sig, of: message) }
    }

    /// The envelope with `key`'s signature added beside the others (none added when it already has one).
    public func countersigned(by key: SigningKey) throws -> DSSEEnvelope {
        guard !isSigned(by: key.publicKey), let body = payloadBytes else { return self }
        var envelope = self
        envelope.signatures.append(Signature(keyid: key.publicKey.keyID, sig: try key.signBase64(Self.pae(payloadType, body))))
        return envelope
    }

    public func bytes() throws -> [UInt8] { try CanonicalJSON.encode(self) }
}

/// An in-toto Statement v1: what `subject` is claimed to be, by a typed predicate.
public struct InTotoStatement<Predicate: Codable & Sendable>: Codable, Sendable {
    public static var type: String { "https://in-toto.io/Statement/v1" }

    public struct Subject: Codable, Sendable, Equatable {
        public var name: String
        public var digest: [String: String]
        public init(name: String, digest: Digest) {
            self.name = name
            self.digest = [digest.algorithm: digest.encoded]
        }
    }

    public var type: String = Self.type
    public var subject: [Subject]
    public var predicateType: String
    public var predicate: Predicate

    enum CodingKeys: String, CodingKey {
        case type = "_type", subject, predicateType, predicate
    }

    public init(subject: [Subject], predicateType: String, predicate: Predicate) {
        self.subject = subject
        self.predicateType = predicateType
        self.predicate = predicate
    }

    /// The statement in a DSSE envelope, signed with `key` when there is one.
    public func envelope(key: SigningKey?) throws -> DSSEEnvelope {
        try DSSEEnvelope(payload: try CanonicalJSON.encode(self), key: key)
    }
}
