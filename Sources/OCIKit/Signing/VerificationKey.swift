import CLibCrypto
import Foundation

/// An ECDSA P-256 public key (a `-----BEGIN PUBLIC KEY-----` PEM, as `cosign.pub`), verifying ECDSA-SHA256
/// DER signatures.
public final class VerificationKey: @unchecked Sendable {
    let key: OpaquePointer
    /// The DER SubjectPublicKeyInfo.
    public let der: [UInt8]

    public convenience init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OCIError(.io, "cannot read the public key \(path)")
        }
        try self.init(pem: Array(data), origin: path)
    }

    public convenience init(pem: [UInt8], origin: String = "the public key") throws {
        ERR_clear_error()
        let loaded: OpaquePointer? = pem.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        ERR_clear_error()
        guard let loaded else { throw OCIError(.unsupported, "\(origin) is not a PEM public key (expected -----BEGIN PUBLIC KEY-----)") }
        defer { EVP_PKEY_free(loaded) }
        guard ECKeyCheck.isP256(loaded) else { throw OCIError(.unsupported, "\(origin) is not an ECDSA P-256 public key (cosign's key type)") }
        try self.init(der: try ECKeyCheck.publicDER(loaded), origin: origin)
    }

    init(der: [UInt8], origin: String) throws {
        let decoded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let decoded else { throw OCIError(.unsupported, "\(origin): libcrypto could not read its public key") }
        key = decoded
        self.der = der
    }

    deinit { EVP_PKEY_free(key) }

    /// Names the key: the hex sha256 of its DER SubjectPublicKeyInfo (the DSSE `keyid` edgepack writes).
    public var keyID: String { SHA256Hasher.digest(der).encoded }

    /// Whether `signature` (DER) is this key's ECDSA-SHA256 signature of `message`.
    public func verify(signature: [UInt8], of message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context); ERR_clear_error() }
        return message.withUnsafeBytes { input in
            signature.withUnsafeBytes { sig in
                EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1
                    && EVP_DigestVerify(context, sig.baseAddress?.assumingMemoryBound(to: UInt8.self), sig.count,
                                        input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count) == 1
            }
        }
    }

    /// `verify` with a base64 signature (as cosign stores it); false when it is not base64.
    public func verify(base64Signature: String, of message: [UInt8]) -> Bool {
        guard let signature = Data(base64Encoded: base64Signature) else { return false }
        return verify(signature: Array(signature), of: message)
    }

    /// The key as a PEM (`-----BEGIN PUBLIC KEY-----`).
    public var pem: String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN PUBLIC KEY-----\n\(body)\n-----END PUBLIC KEY-----\n"
    }
}
