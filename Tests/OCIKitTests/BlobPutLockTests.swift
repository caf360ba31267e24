import Foundation
import Testing
import TestSupport
@testable import OCIKit
import Synchronization

/// The machine-wide lock and mark on one blob of one repository that keeps identical publishes from uploading (and
/// so re-linking) a blob at the same time (`UploadSessionStore.exclusively`); the registry side is
/// `ConcurrentPublishTests`.
@Suite struct BlobPutLockTests {
    let digest = SHA256Hasher.digest(Array("config".utf8))

    @Test func aSecondPutWaitsForTheFirstAndLearnsTheBlobIsThere() throws {
        let dir = try TemporaryDirectory()
        // Two stores: two runs (flock locks belong to an open file, so threads of one process exclude each other too).
        let stores = [UploadSessionStore(directory: dir.file("uploads")), UploadSessionStore(directory: dir.file("uploads"))]
        let events = Mutex<[String]>([])
        let first = Thread {
            _ = try? stores[0].exclusively(registry: "r", repository: "a/b", digest: digest) { recentlyPut in
                events.withLock { $0.append("first starts, recently put: \(recentlyPut)") }
                Thread.sleep(forTimeInterval: 0.4)
                events.withLock { $0.append("first ends") }
                return true
            }
        }
        first.start()
        Thread.sleep(forTimeInterval: 0.1)
        _ = try stores[1].exclusively(registry: "r", repository: "a/b", digest: digest) { recentlyPut in
            events.withLock { $0.append("second starts, recently put: \(recentlyPut)") }
            return true
        }
        #expect(events.withLock { $0 } == ["first starts, recently put: false", "first ends", "second starts, recently put: true"])
        // Another repository or registry is another lock and mark.
        #expect(try stores[1].exclusively(registry: "r", repository: "a/c", digest: digest) { !$0 })
        #expect(try stores[1].exclusively(registry: "q", repository: "a/b", digest: digest) { !$0 })
    }

    @Test func aFailedPutLeavesNoMarkAndOldMarksAreSweptUnlessHeld() throws {
        let dir = try TemporaryDirectory()
        let store = UploadSessionStore(directory: dir.file("uploads"))
        #expect(throws: OCIError.self) {
            try store.exclusively(registry: "r", repository: "a/b", digest: digest) { _ in throw OCIError(.network, "cut") }
        }
        #expect(try store.exclusively(registry: "r", repository: "a/b", digest: digest) { recentlyPut in !recentlyPut })
        let mark = String(store.path("r", "a/b", digest).dropLast(".json".count)) + ".put"
        let held = String(store.path("r", "a/held", digest).dropLast(".json".count)) + ".put"
        _ = try UploadSessionStore(directory: dir.file("uploads")).exclusively(registry: "r", repository: "a/held", digest: digest) { _ in true }
        let eleven = Date().addingTimeInterval(-660)
        for path in [mark, held] { try FileManager.default.setAttributes([.modificationDate: eleven], ofItemAtPath: path) }
        let holder = open(held, O_RDWR)
        #expect(flock(holder, LOCK_EX) == 0)
        defer { close(holder) }
        // A new run sweeps the old mark nobody holds, keeps the held one, and does not count an old mark as a put.
        #expect(try UploadSessionStore(directory: dir.file("uploads")).exclusively(registry: "r", repository: "a/c", digest: digest) { !$0 })
        #expect(!FileManager.default.fileExists(atPath: mark) && FileManager.default.fileExists(atPath: held))
    }
}
