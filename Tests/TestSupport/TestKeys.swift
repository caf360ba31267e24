import Foundation

/// An ECDSA P-256 key pair made by openssl, as users make theirs (`private.pem`, maybe encrypted, and `public.pem`).
public struct TestKeyPair: Sendable {
    public let privatePath: String
    public let publicPath: String
    public let password: String?

    /// With a password, the private key is an encrypted PKCS#8 PEM (`ENCRYPTED PRIVATE KEY`).
    public init(in directory: TemporaryDirectory, name: String = "key", password: String? = nil) throws {
        privatePath = directory.file("\(name).pem")
        publicPath = directory.file("\(name).pub")
        self.password = password
        let plain = directory.file("\(name)-plain.pem")
        for (program, arguments) in [
            ("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", plain]),
            ("openssl", ["pkey", "-in", plain, "-pubout", "-out", publicPath]),
        ] {
            let result = try run(program, arguments)
            guard result.succeeded else { throw TestFailure("\(program) \(arguments): \(result.stderr)") }
        }
        if let password {
            let result = try run("openssl", ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain, "-out", privatePath, "-passout", "pass:\(password)"])
            guard result.succeeded else { throw TestFailure("openssl pkcs8: \(result.stderr)") }
            try FileManager.default.removeItem(atPath: plain)
        } else {
            try FileManager.default.moveItem(atPath: plain, toPath: privatePath)
        }
    }

    /// Whether openssl says `signature` (DER) is this key's ECDSA-SHA256 signature of `message`.
    public func opensslVerifies(signature: [UInt8], of message: [UInt8], in directory: TemporaryDirectory) throws -> Bool {
        let id = UUID().uuidString
        let messagePath = try directory.write("message-\(id)", Data(message))
        let signaturePath = try directory.write("signature-\(id)", Data(signature))
        let result = try run("openssl", ["dgst", "-sha256", "-verify", publicPath, "-signature", signaturePath, messagePath])
        return result.succeeded && result.stdout.contains("Verified OK")
    }
}
