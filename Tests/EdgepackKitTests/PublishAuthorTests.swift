import Testing
@testable import EdgepackKit

@Suite struct PublishAuthorTests {
    @Test func theFlagThenTheVariableThenCIThenGitThenTheLogin() {
        let ci = ["GITHUB_ACTOR": "octocat", "USER": "runner"]
        #expect(PublishAuthor.resolve(explicit: "me@x", environment: ci.merging(["EDGEPACK_CREATED_BY": "bot"]) { $1 }) { "git@x" } == "me@x")
        #expect(PublishAuthor.resolve(environment: ci.merging(["EDGEPACK_CREATED_BY": "bot"]) { $1 }) { "git@x" } == "bot")
        #expect(PublishAuthor.resolve(environment: ci) { "git@x" } == "octocat")
        #expect(PublishAuthor.resolve(environment: ["GITLAB_USER_EMAIL": "dev@gitlab", "USER": "runner"]) { nil } == "dev@gitlab")
        #expect(PublishAuthor.resolve(environment: ["USER": "runner", "EDGEPACK_CREATED_BY": ""]) { "git@x" } == "git@x")
        #expect(PublishAuthor.resolve(environment: ["USER": "runner"]) { nil }.hasPrefix("runner@"))
    }
}
