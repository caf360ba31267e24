import Foundation
import OCIKit

/// bcrypt hashes for an htpasswd file (what distribution's htpasswd auth reads), through the system's libcrypt
/// (libxcrypt on Debian), loaded only when a local registry is set up.
enum PasswordHash {
    private typealias GenerateSalt = @convention(c) (UnsafePointer<CChar>?, UInt, UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>?
    private typealias Crypt = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>?

    static func bcrypt(_ password: String) throws -> String {
        guard let library = dlopen("libcrypt.so.1", RTLD_NOW | RTLD_LOCAL) else {
            throw OCIError(.unsupported, "cannot load libcrypt.so.1 to hash the registry's password; install libcrypt1")
        }
        defer { dlclose(library) }
        guard let saltSymbol = dlsym(library, "crypt_gensalt"), let cryptSymbol = dlsym(library, "crypt") else {
            throw OCIError(.unsupported, "libcrypt.so.1 has no bcrypt (crypt_gensalt); install libxcrypt's libcrypt1")
        }
        let generateSalt = unsafeBitCast(saltSymbol, to: GenerateSalt.self)
        let crypt = unsafeBitCast(cryptSymbol, to: Crypt.self)
        // A null random source makes libxcrypt read the system's randomness itself.
        guard let setting = generateSalt("$2b$", 10, nil, 0).map({ String(cString: $0) }),
              let hashed = crypt(password, setting).map({ String(cString: $0) }), hashed.hasPrefix("$2b$") else {
            throw OCIError(.unsupported, "libcrypt could not make a bcrypt hash")
        }
        return hashed
    }

    /// A random password of 32 URL-safe characters.
    static func randomPassword() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
