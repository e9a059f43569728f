namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// Where the oracle keeps what it downloads and builds: <c>$DAXHOLDER_ORACLE_CACHE</c>, else
/// <c>$XDG_CACHE_HOME/daxholder/oracle</c>, else <c>~/.cache/daxholder/oracle</c>. Under it:
/// <c>apt/&lt;suite&gt;/</c> (private apt lists for backports and sid), <c>debs/</c> (kernel
/// packages), <c>kernels/&lt;name&gt;/</c> (the unpacked package, vmlinuz, the initramfs and a
/// stamp of what it was built from) and <c>runs/</c> (one folder per boot: the console log).
/// </summary>
internal sealed class OracleCache(string root)
{
    /// <summary>The environment variable that moves the cache.</summary>
    public const string EnvironmentVariable = "DAXHOLDER_ORACLE_CACHE";

    public string Root { get; } = root;

    /// <summary>The cache the environment names.</summary>
    public static OracleCache FromEnvironment()
    {
        var explicitRoot = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(explicitRoot))
        {
            return new OracleCache(Path.GetFullPath(explicitRoot));
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return new OracleCache(Path.Combine(baseDir, "daxholder", "oracle"));
    }

    public string Apt(DebianSuite suite) => Dir(Path.Combine(Root, "apt", suite.ToString().ToLowerInvariant()));

    public string Debs => Dir(Path.Combine(Root, "debs"));

    public string Kernel(OracleKernel kernel) => Dir(Path.Combine(Root, "kernels", kernel.Name));

    /// <summary>A fresh folder for one boot, named by the time and the case.</summary>
    public string NewRun(string label)
    {
        var safe = new string(label.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray());
        return Dir(Path.Combine(Root, "runs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{safe}"));
    }

    private static string Dir(string path)
    {
        Directory.CreateDirectory(path);
        return path;
    }
}
