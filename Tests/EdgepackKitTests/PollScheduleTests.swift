import EdgepackKit
import Foundation
import Testing

@Suite struct PollScheduleTests {
    @Test func pollsEveryIntervalWithTenPercentJitter() {
        var schedule = PollSchedule(interval: 30)
        let delays = (0..<200).map { _ in schedule.succeeded() }
        #expect(delays.allSatisfy { $0 >= 27 && $0 <= 33 })
        #expect(Set(delays.map { Int($0 * 10) }).count > 10, "jittered, not fixed")
    }

    @Test func backsOffExponentiallyUpToACapAndResetsOnSuccess() {
        var schedule = PollSchedule(interval: 30)
        let backoff = (0..<8).map { _ in schedule.failed() }
        #expect(backoff[0] >= 54 && backoff[0] <= 66)
        #expect(backoff[1] >= 108 && backoff[1] <= 132)
        #expect(backoff.suffix(4).allSatisfy { $0 >= 270 && $0 <= 330 }, "capped at ten intervals: \(backoff)")
        #expect(schedule.succeeded() <= 33)
        #expect(schedule.failed() <= 66, "a success starts the backoff over")
        #expect(PollSchedule(interval: 1).cap == 60)
    }
}
