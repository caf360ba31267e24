/// Help paragraphs more than one command shows (lines kept under 80 columns: help wraps there).
enum HelpText {
    static let credentials = """
    Credentials, the first found wins:
      --username NAME --password-stdin (a terminal prompts for the password
        when --password-stdin is left out)
      EDGEPACK_USERNAME/EDGEPACK_PASSWORD, then OCI_USERNAME/OCI_PASSWORD
      docker's config.json ($DOCKER_CONFIG/config.json, else
        ~/.docker/config.json): what 'edgepack login' or 'docker login' saved,
        and credential helpers (credHelpers, credsStore: docker-credential-*)
      else anonymous
    """

    static let exitCodes = """
    Exit codes:
      0   done
      1   an error, explained in one line on stderr (a registry refusal,
          a bad definition or bundle, a network failure)
      64  a mistake in the command line (unknown command or option)
    """
}
