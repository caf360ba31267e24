import CLibCrypto
import Foundation

/// An ECDSA P-256 private key (what `cosign generate-key-pair` and `openssl genpkey -algorithm EC` make), read
/// from a PKCS#8 PEM, encrypted or not. It signs with ECDSA-SHA256, giving DER signatures as cosign does.
/// Key material stays inside libcrypto: nothing here prints, logs or returns it.
public final class SigningKey: @unchecked Sendable {
    let key: OpaquePointer
    /// The matching public key, for verifying what this key signed.
    public let publicKey: VerificationKey

    /// Reads a key file; `password` decrypts an encrypted PEM (`ENCRYPTED PRIVATE KEY`).
    public convenience init(path: String, password: String? = nil) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OCIError(.io, "cannot read the signing key \(path)")
        }
        try self.init(pem: Array(data), password: password, origin: path)
    }

    public init(pem: [UInt8], password: String? = nil, origin: String = "the signing key") throws {
        let text = String(decoding: pem, as: UTF8.self)
        if text.contains("SIGSTORE PRIVATE KEY") || text.contains("COSIGN PRIVATE KEY") {
            throw OCIError(.unsupported, "\(origin) is in cosign's own encrypted key format, which is not supported: use an ECDSA P-256 PKCS#8 PEM key (cosign import-key-pair takes the same key)")
        }
        let encrypted = Self.isEncrypted(pem)
        if encrypted, password == nil {
            throw OCIError(.unsupported, "\(origin) is encrypted and no password for it was given")
        }
        ERR_clear_error()
        let loaded: OpaquePointer? = pem.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            guard let password else { return PEM_read_bio_PrivateKey(bio, nil, refusePassword, nil) }
            // With no callback, libcrypto takes `u` as the NUL-terminated passphrase (it never prompts).
            return password.withCString { PEM_read_bio_PrivateKey(bio, nil, nil, UnsafeMutableRawPointer(mutating: $0)) }
        }
        ERR_clear_error()
        guard let loaded else {
            throw OCIError(.unsupported, encrypted
                ? "cannot decrypt \(origin): wrong password, or not a PKCS#8 PEM private key"
                : "\(origin) is not a PEM private key (expected an ECDSA P-256 PKCS#8 PEM)")
        }
        guard ECKeyCheck.isP256(loaded) else {
            EVP_PKEY_free(loaded)
            throw OCIError(.unsupported, "\(origin) is not an ECDSA P-256 key (cosign's key type)")
        }
        key = loaded
        do {
            publicKey = try VerificationKey(der: try ECKeyCheck.publicDER(loaded), origin: origin)
        } catch {
            EVP_PKEY_free(loaded)
            throw error
        }
    }

    deinit { EVP_PKEY_free(key) }

    /// Whether a PEM private key needs a password (PKCS#8 `ENCRYPTED PRIVATE KEY`, or a legacy encrypted PEM).
    public static func isEncrypted(_ pem: [UInt8]) -> Bool {
        let text = String(decoding: pem, as: UTF8.self)
        return text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")
    }

    /// An ECDSA-SHA256 signature of `message`, DER-encoded.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw OCIError(.unsupported, "libcrypto could not create a signing context") }
        defer { EVP_MD_CTX_free(context) }
        var length = 0
        let signed: [UInt8]? = message.withUnsafeBytes { input -> [UInt8]? in
            let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1,
                  EVP_DigestSign(context, nil, &length, base, input.count) == 1 else { return nil }
            var out = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(context, &out, &length, base, input.count) == 1 else { return nil }
            return Array(out.prefix(length))
        }
        ERR_clear_error()
        guard let signed else { throw OCIError(.unsupported, "libcrypto could not sign with the key") }
        return signed
    }

    /// `sign`, base64-encoded (what cosign stores).
    public func signBase64(_ message: [UInt8]) throws -> String {
        Data(try sign(message)).base64EncodedString()
    }
}

/// Answers "no password" instead of letting libcrypto prompt on the terminal.
private let refusePassword: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in 0 }

enum ECKeyCheck {
    static func isP256(_ key: OpaquePointer) -> Bool {
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_EC else { return false }
        var name = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else { return false }
        let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return group == "prime256v1" || group == "P-256" || group == "secp256r1"
    }

    /// The DER SubjectPublicKeyInfo of a key.
    static func publicDER(_ key: OpaquePointer) throws -> [UInt8] {
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else { throw OCIError(.unsupported, "libcrypto could not encode a public key") }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_PUBKEY(key, &cursor)
        }
        guard written == length else { throw OCIError(.unsupported, "libcrypto could not encode a public key") }
        return out
    }
}
