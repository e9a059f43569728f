namespace DaxHolder.Scenarios.Oracle;

/// <summary>Where a Debian kernel comes from: the machine's own suite, its backports, or unstable (sid).</summary>
internal enum DebianSuite
{
    /// <summary>The suite the machine's apt sources name (bookworm: 6.1).</summary>
    Default,

    /// <summary><c>&lt;codename&gt;-backports</c> (bookworm-backports: 6.12).</summary>
    Backports,

    /// <summary>Debian unstable (sid), where image and modules may be separate packages.</summary>
    Sid,
}

/// <summary>
/// A real kernel the oracle boots: the name users give (<c>--kernel 6.12</c>), the Debian suite
/// whose <c>linux-image-amd64</c> provides it, and the model's version profile for the same
/// kernel (null when the model has none: the real outcome is then shown alone).
/// </summary>
internal sealed record OracleKernel(string Name, DebianSuite Suite, string? ModelProfile)
{
    /// <summary>The kernels the oracle knows, in order.</summary>
    public static IReadOnlyList<OracleKernel> All { get; } =
    [
        new("6.1", DebianSuite.Default, "6.1"),
        new("6.12", DebianSuite.Backports, "6.12"),
        new("7.2", DebianSuite.Sid, "7.2"),
    ];

    /// <summary>The kernel called <paramref name="name"/>, or null.</summary>
    public static OracleKernel? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>"6.1, 6.12, 7.2".</summary>
    public static string Names => string.Join(", ", All.Select(k => k.Name));
}
