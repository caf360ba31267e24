import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct SigningKeyTests {
    @Test func signaturesVerifyWithOpenSSLAndThePublicKey() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir)
        let key = try SigningKey(path: pair.privatePath)
        let message = Array("what was built".utf8)
        let signature = try key.sign(message)
        #expect(try pair.opensslVerifies(signature: signature, of: message, in: dir))
        #expect(try !pair.opensslVerifies(signature: signature, of: Array("something else".utf8), in: dir))
        let publicKey = try VerificationKey(path: pair.publicPath)
        #expect(publicKey.der == key.publicKey.der)
        #expect(publicKey.verify(signature: signature, of: message))
        #expect(publicKey.verify(base64Signature: try key.signBase64(message), of: message))
        #expect(!publicKey.verify(signature: signature, of: message + [0]))
        let other = try VerificationKey(path: TestKeyPair(in: dir, name: "other").publicPath)
        #expect(!other.verify(signature: signature, of: message))
        // The PEM edgepack writes reads back as the same key.
        #expect(try VerificationKey(pem: Array(publicKey.pem.utf8)).der == publicKey.der)
    }

    @Test func encryptedKeysNeedTheirPassword() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir, password: "correct horse")
        #expect(String(decoding: FileManager.default.contents(atPath: pair.privatePath)!, as: UTF8.self).contains("ENCRYPTED PRIVATE KEY"))
        let key = try SigningKey(path: pair.privatePath, password: "correct horse")
        #expect(try pair.opensslVerifies(signature: try key.sign([1, 2, 3]), of: [1, 2, 3], in: dir))
        for password in [nil, "wrong horse"] as [String?] {
            let error = #expect(throws: OCIError.self) { try SigningKey(path: pair.privatePath, password: password) }
            let message = error?.description ?? ""
            #expect(message.contains(pair.privatePath) && (message.contains("encrypted") || message.contains("password")), "\(message)")
            #expect(!message.contains("horse") && !message.contains("BEGIN"))
        }
    }

    @Test func otherKeysAreRefusedClearly() throws {
        let dir = try TemporaryDirectory()
        let p384 = dir.file("p384.pem"), rsa = dir.file("rsa.pem"), pub384 = dir.file("p384.pub")
        #expect(try run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", p384]).succeeded)
        #expect(try run("openssl", ["pkey", "-in", p384, "-pubout", "-out", pub384]).succeeded)
        #expect(try run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa]).succeeded)
        for path in [p384, rsa] {
            let error = #expect(throws: OCIError.self) { try SigningKey(path: path) }
            #expect(error?.description.contains("not an ECDSA P-256 key") == true, "\(String(describing: error))")
        }
        #expect(throws: OCIError.self) { try VerificationKey(path: pub384) }
        let notAKey = try dir.write("junk.pem", "hello")
        let error = #expect(throws: OCIError.self) { try SigningKey(path: notAKey) }
        #expect(error?.description == "\(notAKey) is not a PEM private key (expected an ECDSA P-256 PKCS#8 PEM)")
        #expect(throws: OCIError.self) { try VerificationKey(path: notAKey) }
        let cosignFormat = try dir.write("cosign.key", "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
        let cosignError = #expect(throws: OCIError.self) { try SigningKey(path: cosignFormat, password: "x") }
        #expect(cosignError?.description.contains("cosign's own encrypted key format") == true)
    }

    @Test func dssePreAuthenticationEncodingIsTheSpecsOne() throws {
        // The DSSE protocol's own example.
        #expect(String(decoding: DSSEEnvelope.pae("http://example.com/HelloWorld", Array("hello world".utf8)), as: UTF8.self)
            == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir)
        let key = try SigningKey(path: pair.privatePath)
        let envelope = try DSSEEnvelope(payload: Array("{}".utf8), key: key)
        let signature = try #require(envelope.signatures.first)
        #expect(signature.keyid == key.publicKey.keyID)
        #expect(try pair.opensslVerifies(signature: Array(Data(base64Encoded: signature.sig)!),
                                          of: DSSEEnvelope.pae(DSSEEnvelope.inTotoPayloadType, Array("{}".utf8)), in: dir))
        #expect(envelope.isSigned(by: key.publicKey))
        var altered = envelope
        altered.payload = Data("{ }".utf8).base64EncodedString()
        #expect(!altered.isSigned(by: key.publicKey))
        #expect(try DSSEEnvelope(payload: [1], key: nil).signatures.isEmpty)
    }
}
