namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// The oracle cannot run: a host tool or package is missing, a download or the image build
/// failed, QEMU could not start. The message says what to do; the CLI exits 2 (bad input: the
/// machine is not set up for the command).
/// </summary>
internal sealed class OracleException : Exception
{
    public OracleException()
    {
    }

    public OracleException(string message)
        : base(message)
    {
    }

    public OracleException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
