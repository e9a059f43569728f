using System.Security.Cryptography;
using System.Text;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// The guest side shipped inside daxholder (Oracle/Guest/, embedded): the probe's C sources
/// (<c>daxprobe.c</c>, <c>agent.c</c> for the scenario tasks, <c>files.c</c> for the file steps, <c>daxprobe.h</c>), <c>init.sh</c>
/// (the guest's /init) and <c>lib.sh</c> (the shell functions the generated case scripts call).
/// </summary>
internal static class GuestAssets
{
    /// <summary>The probe's sources by file name.</summary>
    public static IReadOnlyList<(string Name, string Text)> ProbeSources { get; } =
        [("daxprobe.h", Read("daxprobe.h")), ("daxprobe.c", Read("daxprobe.c")), ("agent.c", Read("agent.c")), ("files.c", Read("files.c"))];

    public static string Init => Read("init.sh");

    public static string Library => Read("lib.sh");

    /// <summary>A short hash of every guest asset: an image built from other assets is rebuilt.</summary>
    public static string Fingerprint
    {
        get
        {
            var all = Encoding.UTF8.GetBytes(string.Join("\0", ProbeSources.Select(p => p.Text)) + "\0" + Init + "\0" + Library + "\0" + ImageBuilder.Layout);
            return Convert.ToHexStringLower(SHA256.HashData(all))[..16];
        }
    }

    private static string Read(string name)
    {
        using var stream = typeof(GuestAssets).Assembly.GetManifestResourceStream("Oracle.Guest." + name)
            ?? throw new InvalidOperationException($"guest asset {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
