import Testing
@testable import OCIKit

@Suite struct RedactedURLTests {
    @Test(arguments: [
        ("https://x:ghp_secret@github.com/acme/edge.git", "https://github.com/acme/edge.git"),
        ("https://gitlab-ci-token:glcbt-secret@gitlab.example.com/acme/edge.git", "https://gitlab.example.com/acme/edge.git"),
        ("https://ci:hunter2@jenkins.example.com/job/edge/12/", "https://jenkins.example.com/job/edge/12/"),
        ("https://token-only@github.com", "https://github.com"),
        ("ssh://git@github.com/acme/edge.git", "ssh://github.com/acme/edge.git"),
        ("https://u:p@a@host:8443/x?y=1", "https://host:8443/x?y=1"),
    ])
    func userinfoIsStripped(url: String, expected: String) {
        #expect(RedactedURL.redacting(url) == expected)
    }

    @Test(arguments: [
        ("https://github.com/acme/edge.git?access_token=ghp_secret", "https://github.com/acme/edge.git?access_token=REDACTED"),
        ("https://s3.amazonaws.com/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abcdef&part=1",
         "https://s3.amazonaws.com/b/k?X-Amz-Algorithm=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&part=1"),
        ("https://storage.googleapis.com/b/o?X-Goog-Signature=00ff&X-Goog-Credential=sa%40p&X-Goog-Date=20260101",
         "https://storage.googleapis.com/b/o?X-Goog-Signature=REDACTED&X-Goog-Credential=REDACTED&X-Goog-Date=20260101"),
        ("https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026-01-01&sp=r&sig=AbC%2Bd%3D",
         "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026-01-01&sp=r&sig=REDACTED"),
        ("http://127.0.0.1:5000/x?TOKEN=a&Refresh_Token=b&id_token=c&key=d&api_key=e&password=f&client_secret=g&Signature=h",
         "http://127.0.0.1:5000/x?TOKEN=REDACTED&Refresh_Token=REDACTED&id_token=REDACTED&key=REDACTED&api_key=REDACTED&password=REDACTED&client_secret=REDACTED&Signature=REDACTED"),
        ("https://h/x?access%5Ftoken=s", "https://h/x?access%5Ftoken=REDACTED"),
        ("https://h/cb#access_token=s&state=1", "https://h/cb#access_token=REDACTED&state=1"),
        ("https://h/x?n=100&last=abc&flag&=v", "https://h/x?n=100&last=abc&flag&=v"),
    ])
    func credentialParametersKeepTheirNameButNotTheirValue(url: String, expected: String) {
        #expect(RedactedURL.redacting(url) == expected)
    }

    @Test(arguments: [
        "git@github.com:acme/edge.git", "12345", "", "not a url", "refs/heads/main", "oci-archive:/tmp/x.tar",
        "https://github.com/acme/edge/actions/runs/1/attempts/2", "https://h/x?", "https://h", "1http://u:p@h/",
    ])
    func anythingElseIsUnchanged(text: String) {
        #expect(RedactedURL.redacting(text) == text)
    }

    @Test func redactingTwiceChangesNothingMore() {
        let once = RedactedURL.redacting("https://u:p@h/x?sig=1&a=2#token=3")
        #expect(once == "https://h/x?sig=REDACTED&a=2#token=REDACTED")
        #expect(RedactedURL.redacting(once) == once)
    }
}
